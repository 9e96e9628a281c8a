// The library and PDK functions a direct snippet may call, each doing what the function of the
// same name does in the VM (pdk/request.ts, pdk/service-request.ts, the string library) for the
// arguments it accepts; other arguments BAIL, and the VM raises or converts as it would.
import { escapeString } from '../lua/compat/cjson/encode';
import { defaultJsonConfig } from '../lua/compat/cjson/config';
import { formatNumberG } from '../lua/compat/fast-number';
import { latin1ToBytes } from '../lua/compat/lua-helpers';
import { firstHeader } from '../pdk/headers-table';
import { byHeaderName, normalizeValue } from '../pdk/header-values';
import { normalizePath } from '../pdk/path';
import { clientQuery } from '../pdk/request';
import { recordExit } from '../pdk/response';
import { setUpstreamHeader } from '../pdk/service-request';
import { BAIL, concatPart, STOP, wellFormed, type DirectRun } from './values';

/** One call: the arguments as evaluated, the first result (direct snippets use no others). */
export type Builtin = (run: DirectRun, args: readonly unknown[]) => unknown;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The C locale's toupper/tolower over UTF-8 bytes: only a-z / A-Z change, every other byte stays. */
function asciiCase(s: string, upper: boolean): string {
  if (ASCII_ONLY.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  return upper ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function stringOnly(v: unknown): string {
  if (typeof v !== 'string' || !wellFormed(v)) throw BAIL;
  return v;
}

const getHeader: Builtin = (run, args) => firstHeader(run.scope.exchange.request.headers, stringOnly(args[0]));

/** kong.request.get_query_arg: the first value, `true` for a name without `=`, nil when absent. */
const getQueryArg: Builtin = (run, args) => {
  const value = clientQuery(run.scope).get(stringOnly(args[0]));
  return Array.isArray(value) ? value[0] : value;
};

/** A header value as the PDK takes it, for the kinds it spells alike: strings, booleans, finite numbers. */
function headerValues(value: unknown): string[] {
  if (typeof value === 'string') return [normalizeValue(stringOnly(value))];
  if (typeof value === 'boolean') return [String(value)];
  // The PDK spells a number with tostring, which is `..`'s spelling (inf and nan bail there).
  if (typeof value === 'number') return [concatPart(value)];
  throw BAIL;   // tables are validated element by element
}

const setHeader: Builtin = (run, args) => {
  const name = stringOnly(args[0]);
  const values = headerValues(args[1]);
  const upstream = run.scope.exchange.upstream;
  const before = upstream.headers.getAll(name);
  const hostBefore = upstream.hostHeader;
  run.journal.record(() => {
    if (before.length > 0) upstream.headers.set(name, before);
    else upstream.headers.delete(name);
    upstream.hostHeader = hostBefore;
  });
  setUpstreamHeader(upstream, name, values);
  return undefined;
};

const utf8 = new TextEncoder();
const JSON_DEFAULTS = defaultJsonConfig();

/** The string as the VM's cjson writes it (one char per byte of its UTF-8). */
function jsonString(s: string): string {
  return escapeString(utf8.encode(stringOnly(s)), JSON_DEFAULTS.encodeEscapeForwardSlash);
}

/** A table this run made (the only kind whose keys and order the snippet alone decided). */
function madeTable(run: DirectRun, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || run.made === null || !run.made.has(v)) throw BAIL;
  return v as Record<string, unknown>;
}

/**
 * The JSON text (one char per byte) the VM's kong.response.exit sends for a table of this run:
 * its tables have string keys only (constructors and writes leave integer-like keys to the VM),
 * so each is an object, `{}` when empty, keys in the order they were added; cjson's strings and
 * numbers. Deep nesting (a table stored in itself) is left to the VM, which raises.
 */
function jsonOf(run: DirectRun, v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string': return jsonString(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) throw BAIL;
      return formatNumberG(v, JSON_DEFAULTS.encodeNumberPrecision);
    default: {
      if (depth > 100) throw BAIL;
      const table = madeTable(run, v);
      let out = '{';
      for (const key of Object.keys(table)) out += `${out === '{' ? '' : ','}${jsonString(key)}:${jsonOf(run, table[key], depth + 1)}`;
      return `${out}}`;
    }
  }
}

/** kong.response.exit's headers argument as headersTableArg reads it, for the values it spells alike. */
function exitHeaders(run: DirectRun, v: unknown): Array<[string, string[]]> {
  if (v === undefined) return [];
  const table = madeTable(run, v);
  const out: Array<[string, string[]]> = [];
  for (const name of Object.keys(table)) out.push([stringOnly(name), headerValues(table[name])]);
  return out.sort(byHeaderName);
}

/** kong.response.exit(status[, body[, headers]]): records the answer as the PDK does, then ends the snippet. */
const exit: Builtin = (run, args) => {
  const status = args[0];
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) throw BAIL;
  const body = args[1];
  let bytes: Uint8Array | null = null;
  let json = false;
  if (typeof body === 'string') bytes = utf8.encode(stringOnly(body));
  else if (body !== undefined) {
    bytes = latin1ToBytes(jsonOf(run, madeTable(run, body), 0));
    json = true;
  }
  const headers = exitHeaders(run, args[2]);
  recordExit(run.scope.exchange, status, bytes, headers, json);
  throw STOP;
};

const tostring: Builtin = (_run, args) => {
  const v = args[0];
  if (v === undefined) { if (args.length === 0) throw BAIL; return 'nil'; }   // tostring() raises
  if (typeof v === 'boolean') return String(v);
  return concatPart(v);
};

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['kong.request.get_header', getHeader],
  ['kong.request.get_query_arg', getQueryArg],
  ['kong.request.get_path', (run) => normalizePath(run.scope.exchange.request.rawPath)],
  ['kong.request.get_raw_path', (run) => run.scope.exchange.request.rawPath],
  ['kong.request.get_method', (run) => run.scope.exchange.request.method],
  ['kong.request.get_raw_query', (run) => run.scope.exchange.request.rawQuery],
  ['kong.service.request.set_header', setHeader],
  ['kong.response.exit', exit],
  ['string.upper', (_run, args) => asciiCase(stringOnly(args[0]), true)],
  ['string.lower', (_run, args) => asciiCase(stringOnly(args[0]), false)],
  ['tostring', tostring],
]);
