// Rendering of templates whose expressions are plain field paths (`headers.x`, `headers["X-T"]`,
// `query_params.lang`, `uri_captures[1]`, `callouts.c.response.body.token`) without entering the
// VM. It reads the same data the Lua path reads and formats it the same way; whenever the Lua path
// could do something else — an error (indexing nil), a table or userdata result, a metatable it
// does not know, a truncated header table — it answers BAIL and the caller renders in the VM.
// spec/02-template/fast-path.spec.ts checks both paths agree on generated inputs.
import { lua } from '../lua/fengari';
import { LUA_NULL } from '../lua/marshal';
import { formatNumberG } from '../lua/compat/fast-number';
import { CaseInsensitiveFields, LazyValue, lazySourceOfTable, sourceChild } from '../lua/lazy';
import { asTable, rawIntField, rawKey, rawKeyedField, type RawKey, type RawTable } from '../lua/raw-table';
import type { StackSlot } from '../lua/stack';
import { textOfString } from '../lua/strings';
import type { TemplatePiece } from './parse';
import type { PdkScope } from '../pdk/scope';
import { NOT_PLAIN, sharedChild } from '../pdk/shared-fields';
import { clientQuery } from '../pdk/request';
import { DEFAULT_MAX_HEADERS, normalizedHeaderKey } from '../pdk/headers-table';
import { interned } from '../util/interned';

export const BAIL = Symbol('bail to the VM');
type Key = string | number;
type Root = 'headers' | 'query_params' | 'uri_captures' | 'callouts' | 'shared';
const ROOTS = new Set<string>(['headers', 'query_params', 'uri_captures', 'callouts', 'shared']);

export type FastPiece = { readonly text: string } | FastPath;
/** A field path: a root and the keys indexed from it (`tableKeys`: as fengari files them, for raw reads). */
export interface FastPath { readonly root: Root; readonly keys: readonly Key[]; readonly tableKeys: readonly TableKey[] }
type TableKey = RawKey | number;

const STEP = /^\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)'|(\d{1,9}))\s*\])/;

/** The path of a plain field-path expression, or null when the expression is anything else. */
export function parseFieldPath(code: string): FastPath | null {
  const head = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(code);
  if (!head || !ROOTS.has(head[1])) return null;
  const keys: Key[] = [];
  let rest = code.slice(head[0].length);
  while (rest.trim() !== '') {
    const m = STEP.exec(rest);
    if (!m) return null;
    const name = m[1] ?? m[2] ?? m[3];
    // Interned: these are property keys read on every request (util/interned.ts).
    keys.push(name !== undefined ? interned(name) : Number(m[4]));
    rest = rest.slice(m[0].length);
  }
  return { root: head[1] as Root, keys, tableKeys: keys.map((k) => (typeof k === 'string' ? rawKey(k) : k)) };
}

/** Fast pieces of a template, or null when some piece needs the VM (`#` lines, other code). */
export function planFastPath(pieces: readonly TemplatePiece[]): FastPiece[] | null {
  const out: FastPiece[] = [];
  for (const p of pieces) {
    if (p.kind === 'lua') return null;
    if (p.kind === 'text') { out.push({ text: p.text }); continue; }
    const path = parseFieldPath(p.code);
    if (!path) return null;
    out.push(path);
  }
  return out;
}


/** A value while walking: JS data (from the exchange or a lazy source) or a Lua value on the stack. */
interface JsValue { readonly js: unknown; readonly nullAs: object | null }

function stringify(v: unknown): string | typeof BAIL {
  if (v === undefined || v === null || v === false) return '';
  if (v === true) return 'true';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumberG(v, 14);
  return BAIL;
}

function indexJs(value: JsValue, key: Key): JsValue | typeof BAIL {
  let v = value.js;
  if (v instanceof LazyValue) v = v.value;
  if (v instanceof CaseInsensitiveFields) return BAIL;
  if (v === undefined || (v === null && value.nullAs === null)) return BAIL; // indexing nil: the VM raises
  if (v === LUA_NULL) return BAIL;                                             // indexing cjson.null raises too
  if (Array.isArray(v)) return { js: typeof key === 'number' && key >= 1 ? v[key - 1] : undefined, nullAs: value.nullAs };
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && v !== value.nullAs) {
    return { js: typeof key === 'string' && Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined, nullAs: value.nullAs };
  }
  return BAIL; // strings have methods, numbers and booleans raise: leave it to the VM
}

function headerValue(scope: PdkScope, key: Key): unknown | typeof BAIL {
  const headers = scope.exchange.request.headers;
  if (headers.lineCount > DEFAULT_MAX_HEADERS) return BAIL;
  if (typeof key !== 'string') return undefined;
  const found = key === key.toLowerCase() ? headers.lookup(key) : undefined;
  if (found !== undefined) return found;
  const normalized = normalizedHeaderKey(key);
  return normalized !== key ? headers.lookup(normalized) : undefined;
}

function queryValue(scope: PdkScope, key: Key): unknown {
  return typeof key === 'string' ? clientQuery(scope).get(key) : undefined;
}

function captureValue(scope: PdkScope, key: Key): unknown {
  const captures = scope.exchange.route?.uriCaptures;
  if (!captures) return undefined;
  if (typeof key === 'number') return captures.unnamed[key];
  return Object.prototype.hasOwnProperty.call(captures.named, key) ? captures.named[key] : undefined;
}

/** `table[key]`, raw: a string key or an integer one (the only keys a field path has). */
function rawField(table: RawTable, key: TableKey): StackSlot | undefined {
  return typeof key === 'string' ? rawKeyedField(table, key) : rawIntField(table, key);
}

const CALLOUTS_KEY = rawKey('callouts');

/**
 * Walks `keys` from a Lua value (kong.ctx.shared or its callouts) with raw reads of fengari's
 * table objects, answering what the template's Lua would: a lazy table's missing field comes from
 * its JS source, indexing nil or a table with an unknown metatable is left to the VM.
 */
function walkLua(start: StackSlot | undefined, path: FastPath): string | typeof BAIL {
  const { keys, tableKeys } = path;
  let slot = start;
  for (let i = 0; i < keys.length; i++) {
    const table = asTable(slot);
    if (!table) return BAIL;
    const key = keys[i];
    slot = rawField(table, tableKeys[i]);
    if (slot !== undefined && slot.type !== lua.LUA_TNIL) continue;
    const source = lazySourceOfTable(table);
    if (source) {
      if (source.caseInsensitive) return BAIL;
      if (source.done.has(key)) { slot = undefined; continue; }
      let value: JsValue | typeof BAIL = { js: sourceChild(source, key), nullAs: source.nullAs };
      for (let j = i + 1; j < keys.length && value !== BAIL; j++) value = indexJs(value, keys[j]);
      if (value === BAIL) return BAIL;
      return value.js === null && value.nullAs !== null ? BAIL : stringify(value.js);
    }
    if (table.metatable !== null) return BAIL;
    slot = undefined;
  }
  if (slot === undefined) return '';
  switch (slot.type & 0x0f) {
    case lua.LUA_TNIL: return '';
    case lua.LUA_TBOOLEAN: return slot.value === true ? 'true' : '';
    case lua.LUA_TNUMBER: return formatNumberG(slot.value as number, 14);
    case lua.LUA_TSTRING: return textOfString(slot.value);
    default: return BAIL;
  }
}

function evaluate(scope: PdkScope, path: FastPath): string | typeof BAIL {
  const { root, keys } = path;
  if (root === 'callouts' || root === 'shared') return evaluateShared(scope, root, path);
  if (keys.length === 0) return BAIL; // the shortcut table itself prints as "table: 0x..."
  const first = root === 'headers' ? headerValue(scope, keys[0]) : root === 'query_params' ? queryValue(scope, keys[0]) : captureValue(scope, keys[0]);
  if (first === BAIL) return BAIL;
  let value: JsValue | typeof BAIL = { js: first, nullAs: null };
  for (let i = 1; i < keys.length && value !== BAIL; i++) value = indexJs(value, keys[i]);
  return value === BAIL ? BAIL : stringify(value.js);
}

/**
 * A path into kong.ctx.shared (`shared.x`) or its callouts. Fields Lua has not touched are the JS
 * values plugins hold (shared-fields.ts): before Lua created the table, or while its table is
 * still lazy over them; the rest is walked in Lua's tables.
 */
function evaluateShared(scope: PdkScope, root: 'callouts' | 'shared', path: FastPath): string | typeof BAIL {
  const shared = scope.sharedTable;
  if (shared !== null) {
    if (root === 'shared') return walkLua({ type: lua.LUA_TTABLE, value: shared }, path);
    const callouts = rawKeyedField(shared, CALLOUTS_KEY);
    if (callouts !== undefined && callouts.type !== lua.LUA_TNIL) return walkLua(callouts, path);
    const source = lazySourceOfTable(shared);
    if (!source) return shared.metatable !== null ? BAIL : walkLua(undefined, path);
    if (source.value !== scope.sharedSource) return BAIL;
    if (source.done.has('callouts')) return walkLua(undefined, path);
  }
  return walkHeldShared(scope, root, path.keys);
}

/** A path over the JS-held fields of kong.ctx.shared (the values Lua's table would show). */
function walkHeldShared(scope: PdkScope, root: 'callouts' | 'shared', keys: readonly Key[]): string | typeof BAIL {
  const fields = scope.sharedSource;
  let node: unknown;
  let rest: readonly Key[];
  if (root === 'callouts') {
    node = fields?.callouts;
    rest = keys;
    if (node === undefined) return keys.length === 0 ? '' : BAIL;   // callouts is nil
  } else {
    if (keys.length === 0) return BAIL;                              // the table itself
    const first = keys[0];
    node = typeof first === 'string' ? fields?.[first] : undefined;
    rest = keys.slice(1);
  }
  for (const key of rest) {
    if (node === undefined) return BAIL;                             // indexing nil raises
    node = sharedChild(node, key);
    if (node === NOT_PLAIN) return BAIL;
  }
  return stringify(node);                                           // a table or userdata: BAIL
}

/** Renders the pieces in JS, or returns BAIL when the VM must render this request. */
export function renderFast(scope: PdkScope, pieces: readonly FastPiece[]): string | typeof BAIL {
  let out = '';
  for (const p of pieces) {
    if ('text' in p) { out += p.text; continue; }
    const s = evaluate(scope, p);
    if (s === BAIL) return BAIL;
    out += s;
  }
  return out;
}
