// Small helpers shared by the PDK namespaces: Kong-style errors (message prefixed with the calling
// snippet's position, as Kong's `error(msg, 2)`), Lua type names, strings as bytes, table building.
import { lua, lauxlib } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import { pushString } from '../lua/marshal';
import { textAt } from '../lua/strings';
import type { LuaEngine } from '../lua/engine';
import type { PdkScope } from './scope';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Raises `message` with the position of the Lua code that called the PDK function. */
export function raise(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  pushString(L, message);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** Lua's `type()` of the argument at `idx` ("no value" counts as nil, as Kong sees it). */
export function luaType(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx);
  return t === lua.LUA_TNONE ? 'nil' : decoder.decode(lua.lua_typename(L, t));
}

/** The string at `idx` as JS text (lenient UTF-8), or null when it is not a Lua string. */
export function stringArg(L: LuaState, idx: number): string | null {
  return idx > lua.LUA_REGISTRYINDEX && lua.lua_type(L, idx) === lua.LUA_TSTRING ? textAt(L, idx) : null;
}

/** The bytes of the Lua string at `idx` (copied), or null. */
export function bytesArg(L: LuaState, idx: number): Uint8Array | null {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? Uint8Array.prototype.slice.call(lua.lua_tolstring(L, idx)!) : null;
}

export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `tostring(v)` of the value at `idx`, through __tostring and LuaJIT number formatting. */
export function luaToString(L: LuaState, idx: number): string {
  const s = lauxlib.luaL_tolstring(L, idx);
  lua.lua_pop(L, 1);
  return decoder.decode(s);
}

/** Lua's `%q` of a value as LuaJIT 2.1 formats it in Kong's messages (non-strings via tostring). */
export function quoteLua(L: LuaState, idx: number): string {
  const body = lua.lua_type(L, idx) === lua.LUA_TSTRING ? stringArg(L, idx)! : luaToString(L, idx);
  let out = '"';
  for (const ch of body) {
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\0') out += '\\0';
    else out += ch;
  }
  return out + '"';
}

export function pushStringOrNil(L: LuaState, s: string | null | undefined): void {
  if (s === null || s === undefined) lua.lua_pushnil(L);
  else pushString(L, s);
}

/** Pushes an array of strings as a sequence. */
export function pushStringArray(L: LuaState, items: readonly string[]): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushString(L, items[i]);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/** Builds a table of functions and leaves it on the stack. */
export function pushFunctionTable(L: LuaState, fields: Record<string, LuaCFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(fields).length);
  for (const [name, fn] of Object.entries(fields)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
}

/** The request scope of the running call; raises when PDK code runs outside a request. */
export function scopeOf(engine: LuaEngine, L: LuaState): PdkScope {
  const scope = engine.currentHost as PdkScope | undefined;
  if (!scope || typeof scope !== 'object' || !('exchange' in scope)) {
    return raise(L, 'this function can only be called while a request is being processed');
  }
  return scope;
}

/** Is the value at `idx` an optional number argument that is present but not a number? */
export function isPresent(L: LuaState, idx: number): boolean {
  return !lua.lua_isnoneornil(L, idx);
}
