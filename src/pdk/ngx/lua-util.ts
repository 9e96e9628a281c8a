// Argument and value helpers shared by the ngx.* and kong.* misc functions. Lua strings are bytes:
// everything here reads and pushes Uint8Array, never decoded text, unless a name says otherwise.
import { lua, lauxlib, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { scopeTables, type PdkScope } from '../scope';
import { raise } from '../../lua/compat/lua-helpers';
import { pushTable, type RawTable } from '../../lua/raw-table';
import { tableAt } from '../../lua/stack';

export { raise };

const textDecoder = new TextDecoder('utf-8', { fatal: false });
const textEncoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return textEncoder.encode(s);
}

export function decodeText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** Lua type name of the value at `idx` (e.g. "nil", "table"). */
export function typeName(L: LuaState, idx: number): string {
  return decodeText(lauxlib.luaL_typename(L, idx));
}

/**
 * lua-resty-core's argument rule for ngx.md5, ngx.escape_uri, ngx.encode_base64...: a non-string
 * is `""` when nil/false and `tostring(value)` otherwise.
 */
export function bytesOrEmpty(L: LuaState, arg: number): Uint8Array {
  const type = lua.lua_type(L, arg);
  if (type === lua.LUA_TSTRING) return lua.lua_tolstring(L, arg) as Uint8Array;
  if (type === lua.LUA_TNIL || type === lua.LUA_TNONE || (type === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, arg))) {
    return new Uint8Array(0);
  }
  return toStringBytes(L, arg);
}

/** `tostring(value)` as bytes (honours __tostring), leaving the stack unchanged. */
export function toStringBytes(L: LuaState, arg: number): Uint8Array {
  const bytes = lauxlib.luaL_tolstring(L, arg);
  lua.lua_pop(L, 1);
  return bytes;
}

/** Pushes bytes as a Lua string; copies so that later changes to a shared buffer never leak in. */
export function pushBytes(L: LuaState, bytes: Uint8Array): void {
  lua.lua_pushstring(L, bytes instanceof Buffer || bytes.byteOffset !== 0 ? new Uint8Array(bytes) : bytes);
}

export function pushText(L: LuaState, s: string): void {
  lua.lua_pushstring(L, utf8(s));
}

/** Sets `fields` as functions of the table at the top of the stack. */
export function setFunctions(L: LuaState, fields: Readonly<Record<string, LuaCFunction>>): void {
  for (const name of Object.keys(fields)) {
    lua.lua_pushcfunction(L, fields[name]);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
}

export function setNumbers(L: LuaState, fields: Readonly<Record<string, number>>): void {
  for (const name of Object.keys(fields)) {
    lua.lua_pushnumber(L, fields[name]);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
}

function isScope(host: unknown): host is PdkScope {
  return typeof host === 'object' && host !== null && 'exchange' in host && 'tables' in host;
}

/** The scope of the request whose Lua code runs now, or a Lua error outside a request. */
export function requireScope(engine: LuaEngine, L: LuaState): PdkScope {
  const host = engine.currentHost;
  if (!isScope(host)) return raise(L, 'API disabled in the current context');
  return host;
}

/** The scope of the request whose Lua code runs now, or null (for code that must not raise). */
export function currentScope(engine: LuaEngine): PdkScope | null {
  const host = engine.currentHost;
  return isScope(host) ? host : null;
}

/** Pushes the per-request table kept in `scope.tables[key]`, creating it on first use. */
export function pushScopeTable(L: LuaState, scope: PdkScope, key: string): void {
  const table = scope.tables?.get(key);
  if (table !== undefined) {
    pushTable(L, table);
    return;
  }
  lua.lua_createtable(L, 0, 4);
  keepScopeTable(L, scope, key);
}

/** Keeps the table on top of the stack (left there) as the scope's table `key`. */
export function keepScopeTable(L: LuaState, scope: PdkScope, key: string): void {
  const table = tableAt(L, -1);
  if (table === null) throw new TypeError(`scope table ${key}: the value on top of the stack is not a table`);
  scopeTables(scope).set(key, table as RawTable);
}

/**
 * Pushes a read-only view of the table at `idx`: reads fall through, writes raise the sandbox's
 * message, pairs() walks the original. Keeps sub-tables of a live (metatable'd) PDK table frozen.
 */
export function pushReadOnlyView(L: LuaState, idx: number, path: string): void {
  pushProxyView(L, idx, (L1) => {
    const key = decodeText(toStringBytes(L1, 2));
    return raise(L1, `Cannot modify ${path}.${key}. Protected by the sandbox.`);
  });
}

/**
 * Pushes an empty table that stands for the table at `idx`: reads fall through to it, `pairs` walks
 * it, writes go to `newIndex`, and the metatable is hidden (`getmetatable` gives false).
 */
export function pushProxyView(L: LuaState, idx: number, newIndex: LuaCFunction): void {
  const target = lua.lua_absindex(L, idx);
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 4);
  lua.lua_pushvalue(L, target);
  lua.lua_setfield(L, -2, toLuaString('__index'));
  lua.lua_pushcfunction(L, newIndex);
  lua.lua_setfield(L, -2, toLuaString('__newindex'));
  lua.lua_pushvalue(L, target);
  lua.lua_pushcclosure(L, pairsOfUpvalue, 1);
  lua.lua_setfield(L, -2, toLuaString('__pairs'));
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, toLuaString('__metatable'));
  lua.lua_setmetatable(L, -2);
}

const nextOf: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  if (lua.lua_next(L, 1)) return 2;
  lua.lua_pushnil(L);
  return 1;
};

const pairsOfUpvalue: LuaCFunction = (L) => {
  lua.lua_pushcfunction(L, nextOf);
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
  lua.lua_pushnil(L);
  return 3;
};

/** Builds a table with `build`, then stores a read-only view of it as field `name` of the table at `parent`. */
export function defineReadOnlyTable(L: LuaState, parent: number, name: string, path: string, build: (L: LuaState) => void): void {
  const parentIdx = lua.lua_absindex(L, parent);
  lua.lua_createtable(L, 0, 8);
  build(L);
  pushReadOnlyView(L, -1, path);
  lua.lua_setfield(L, parentIdx, toLuaString(name));
  lua.lua_pop(L, 1);
}
