// kong.ctx.shared fields a plugin keeps in JS until Lua first touches kong.ctx.shared.
//
// The request-callout plugin records every callout in kong.ctx.shared.callouts. When no Lua code
// runs for a request (a config with plain templates only), building those Lua tables is pure cost.
// So a plugin registers the field here as a JS value; template fast paths read that value
// directly, and the moment Lua asks for kong.ctx.shared (a snippet, a template rendered in the VM)
// the table is created with every pending field pushed into it. From then on Lua holds the truth.
//
// JS values are read by Lua's rules: objects are tables with string keys, arrays are sequences
// (1-based), null/undefined are nil, LUA_NULL is cjson.null, Uint8Array is a Lua string. Two node
// kinds cross in their own way, both as lazy tables (lua/lazy): LazyValue (a decoded JSON document)
// and CaseInsensitiveFields (HTTP header fields; a lookup by any case finds the lower-case key).
import { lua } from '../lua/fengari';
import type { LuaState } from '../lua/fengari';
import { CaseInsensitiveFields, LazyValue, pushLazy, pushLazyCaseInsensitive } from '../lua/lazy';
import { LUA_NULL, pushValue } from '../lua/marshal';
import { setField } from '../lua/strings';
import type { PdkScope } from './scope';

export { CaseInsensitiveFields, LazyValue };

/** A kong.ctx.shared field held in JS. `value` is read by fast paths and pushed on first Lua use. */
export interface PendingSharedField {
  readonly value: unknown;
}

export function setPendingSharedField(scope: PdkScope, name: string, field: PendingSharedField): void {
  (scope.pendingShared ??= new Map()).set(name, field);
}

/** Pushes every pending field into the shared table at the top of the stack and forgets them. */
export function flushPendingShared(L: LuaState, scope: PdkScope): void {
  const pending = scope.pendingShared;
  if (!pending || pending.size === 0) return;
  scope.pendingShared = undefined;
  for (const [name, field] of pending) {
    pushSharedValue(L, field.value);
    setField(L, -2, name);
  }
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
