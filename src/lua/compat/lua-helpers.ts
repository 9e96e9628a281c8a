// Small helpers shared by the compat libraries: argument checks with LuaJIT's number rules,
// byte-string conversion, and registering functions into existing library tables.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction, LuaString } from '../fengari';

const INT32_MIN = -2147483648;

/** C's (int32_t) cast of a double as LuaJIT does it on x64: truncate; out of range or NaN gives INT32_MIN. */
export function toInt32Trunc(n: number): number {
  const t = Math.trunc(n);
  return t >= INT32_MIN && t <= 2147483647 ? t : INT32_MIN;
}

/** LuaJIT's lj_lib_checkint: any number (or numeric string), truncated like a C cast. */
export function checkInt(L: LuaState, arg: number): number {
  return toInt32Trunc(lauxlib.luaL_checknumber(L, arg));
}

export function optInt(L: LuaState, arg: number, def: number): number {
  return lua.lua_isnoneornil(L, arg) ? def : checkInt(L, arg);
}

/** Sets `fields` as functions of the table at the top of the stack. */
export function setFunctions(L: LuaState, fields: Record<string, LuaCFunction>): void {
  for (const name of Object.keys(fields)) {
    lua.lua_pushcfunction(L, fields[name]);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
}

/** Patches functions into the global library table `lib` (which must exist). */
export function patchLibrary(L: LuaState, lib: string, fields: Record<string, LuaCFunction>): void {
  if (lua.lua_getglobal(L, toLuaString(lib)) !== lua.LUA_TTABLE) {
    lua.lua_pop(L, 1);
    lua.lua_newtable(L);
    lua.lua_pushvalue(L, -1);
    lua.lua_setglobal(L, toLuaString(lib));
  }
  setFunctions(L, fields);
  lua.lua_pop(L, 1);
}

/** Returns the original function `lib.name` (before patching), for wrappers that delegate. */
export function getLibraryFunction(L: LuaState, lib: string, name: string): LuaCFunction {
  lua.lua_getglobal(L, toLuaString(lib));
  lua.lua_getfield(L, -1, toLuaString(name));
  const fn = (lua as unknown as { lua_tocfunction(L: LuaState, i: number): LuaCFunction | null }).lua_tocfunction(L, -1);
  lua.lua_pop(L, 2);
  if (!fn) throw new Error(`compat: ${lib}.${name} is not a library function`);
  return fn;
}

/** Raises a Lua error whose message is exactly `message` (no position prefix), like lua-cjson's errors. */
export function raiseBare(L: LuaState, message: string | LuaString): never {
  lua.lua_pushstring(L, typeof message === 'string' ? toLuaString(message) : message);
  return lua.lua_error(L);
}

/** Raises `message` prefixed with the calling Lua position, like luaL_error. */
export function raise(L: LuaState, message: string): never {
  return lauxlib.luaL_error(L, toLuaString(message.replace(/%/g, '%%')));
}

/** Bytes of a Lua string as a JS string with one char per byte (ISO-8859-1), for memo keys and building. */
export function bytesToLatin1(b: Uint8Array): string {
  if (b.length < 64) {
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** The inverse of bytesToLatin1: every char must be < 256. */
export function latin1ToBytes(s: string): Uint8Array {
  if (s.length < 64) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const out = new Uint8Array(s.length);
  Buffer.from(out.buffer, out.byteOffset, out.length).write(s, 'latin1');
  return out;
}

export function pushLatin1(L: LuaState, s: string): void {
  lua.lua_pushstring(L, latin1ToBytes(s));
}
