// kong.ctx.shared fields a plugin keeps in JS for as long as Lua has not touched them.
//
// The request-callout plugin records every callout in kong.ctx.shared.callouts. When no Lua code
// runs for a request (a config of plain templates), building those Lua tables is pure cost, and
// when a snippet reads one callout, building the others is too. So plugins write the fields into
// a JS object of the scope (`scope.sharedSource`); template fast paths read it there, and when Lua
// first asks for kong.ctx.shared it gets a lazy table over that object (lua/lazy): each field
// crosses when Lua first reads it. A field Lua has read or written is Lua's from then on; the
// others stay the plugin's to write (heldSharedField tells which).
//
// JS values are read by Lua's rules: objects are tables with string keys, arrays are sequences
// (1-based), null/undefined are nil, LUA_NULL is cjson.null, Uint8Array is a Lua string. Two node
// kinds cross in their own way, both as lazy tables (lua/lazy): LazyValue (a decoded JSON document)
// and CaseInsensitiveFields (HTTP header fields; a lookup by any case finds the lower-case key).
import { lua } from '../lua/fengari';
import type { LuaState } from '../lua/fengari';
import { CaseInsensitiveFields, LazyValue, pushLazy, pushLazyCaseInsensitive, stillLazyOver } from '../lua/lazy';
import { LUA_NULL, pushValue } from '../lua/marshal';
import { setField } from '../lua/strings';
import type { PdkScope } from './scope';

export { CaseInsensitiveFields, LazyValue };

/** The name kong.ctx.shared goes by where per-request tables are named (pushRequestTable). */
export const SHARED_REF = 'kong.ctx.shared';

/** The JS object behind kong.ctx.shared's fields (made on first use; Lua's table reads it lazily). */
export function sharedSource(scope: PdkScope): Record<string, unknown> {
  return scope.sharedSource ??= Object.create(null) as Record<string, unknown>;
}

/**
 * kong.ctx.shared[name] as a JS value the caller may keep writing into, while Lua has not read or
 * written that key; made with `create` when absent (without it, absent is null). null once Lua
 * holds the key.
 */
export function heldSharedField<T extends object>(scope: PdkScope, name: string, create?: () => T): T | null {
  const shared = scope.sharedTable;
  if (shared !== null && !stillLazyOver(shared, scope.sharedSource, name)) return null;
  const existing = scope.sharedSource?.[name];
  if (existing !== undefined) return existing as T;
  if (!create) return null;
  const made = create();
  sharedSource(scope)[name] = made;
  return made;
}

/** Pushes a new kong.ctx.shared table: lazy over the scope's JS-held fields. */
export function pushSharedTable(L: LuaState, scope: PdkScope): void {
  pushLazy(L, sharedSource(scope));
}

const MAX_DEPTH = 100;

/** Pushes a shared-field value: plain containers as tables (recursively), node kinds their own way. */
export function pushSharedValue(L: LuaState, value: unknown, depth = 0): void {
  if (value instanceof LazyValue) { pushLazy(L, value.value); return; }
  if (value instanceof CaseInsensitiveFields) { pushLazyCaseInsensitive(L, value.value); return; }
  if (value === null || typeof value !== 'object' || value === LUA_NULL || value instanceof Uint8Array || depth > MAX_DEPTH) {
    pushValue(L, value);
    return;
  }
  lua.lua_checkstack(L, 3);
  if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    for (let i = 0; i < value.length; i++) {
      pushSharedValue(L, value[i], depth + 1);
      lua.lua_rawseti(L, -2, i + 1);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  lua.lua_createtable(L, 0, 4);
  for (const key in record) {
    const child = record[key];
    if (child === undefined || child === null) continue;
    pushSharedValue(L, child, depth + 1);
    setField(L, -2, key);
  }
}

/** Sentinel: this lookup cannot be answered in JS the way Lua would (it would raise, or it is not data). */
export const NOT_PLAIN = Symbol('not plain data');

/**
 * `node[key]` as Lua would see it, for the node kinds above: undefined for nil, NOT_PLAIN when Lua
 * would raise (indexing nil, a string, a number, cjson.null) or could run code.
 */
export function sharedChild(node: unknown, key: string | number): unknown {
  if (node instanceof LazyValue) node = node.value;
  if (node instanceof CaseInsensitiveFields) {
    if (typeof key !== 'string') return undefined;
    const fields = node.value;
    if (Object.prototype.hasOwnProperty.call(fields, key)) return fields[key];
    const lower = key.toLowerCase();
    return lower !== key && Object.prototype.hasOwnProperty.call(fields, lower) ? fields[lower] : undefined;
  }
  if (node === null || node === undefined || typeof node !== 'object' || node === LUA_NULL || node instanceof Uint8Array) {
    return NOT_PLAIN;
  }
  if (Array.isArray(node)) return typeof key === 'number' && key >= 1 ? node[key - 1] : undefined;
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
  return (node as Record<string, unknown>)[key];
}
