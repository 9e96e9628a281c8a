// Creates the one fengari state of a process with the libraries luagate allows, LuaJIT
// compatibility installed, and no way out to the host: no io/package/require from disk, no
// fengari-interop, no bytecode, and JS exceptions turned into plain Lua strings.
import { lua, lauxlib, lualib, toLuaString } from './fengari';
import type { LuaState, LuaCFunction } from './fengari';
import { installLuaJitCompat } from './compat';

const LIBRARIES: ReadonlyArray<[string, LuaCFunction]> = [
  ['_G', lualib.luaopen_base],
  ['coroutine', lualib.luaopen_coroutine],
  ['table', lualib.luaopen_table],
  ['string', lualib.luaopen_string],
  ['math', lualib.luaopen_math],
  ['os', lualib.luaopen_os],
  ['debug', lualib.luaopen_debug],
];

/** Globals of fengari's base library that would load code from outside the text we compile. */
const REMOVED_GLOBALS = ['dofile', 'loadfile', 'load'];
const REMOVED_OS = ['execute', 'exit', 'getenv', 'remove', 'rename', 'tmpname'];

/**
 * A JS exception thrown inside a host function reaches Lua as this string. Without a handler
 * fengari would push the Error object itself, and an object is a way out to the host.
 */
const nativeErrorToString: LuaCFunction = (L) => {
  const err = lua.lua_touserdata(L, 1) as { message?: unknown } | null;
  const text = err && typeof err.message === 'string' ? err.message : String(err);
  lua.lua_pushstring(L, toLuaString(`internal error: ${text}`));
  return 1;
};

export function createLuaState(): LuaState {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of LIBRARIES) {
    lauxlib.luaL_requiref(L, toLuaString(name), open, 1);
    lua.lua_pop(L, 1);
  }
  lua.lua_atnativeerror(L, nativeErrorToString);
  installLuaJitCompat(L);
  lua.lua_pushglobaltable(L);
  for (const name of REMOVED_GLOBALS) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
  lua.lua_getfield(L, -1, toLuaString('os'));
  for (const name of REMOVED_OS) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
  lua.lua_pop(L, 1);
  lua.lua_getfield(L, -1, toLuaString('string'));
  lua.lua_pushnil(L);
  lua.lua_setfield(L, -2, toLuaString('dump'));
  lua.lua_pop(L, 2);
  return L;
}

/** Takes `debug` out of the globals (compat code may use it while installing, snippets never). */
export function removeDebugLibrary(L: LuaState): void {
  lua.lua_pushnil(L);
  lua.lua_setglobal(L, toLuaString('debug'));
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lauxlib.LUA_LOADED_TABLE);
  lua.lua_pushnil(L);
  lua.lua_setfield(L, -2, toLuaString('debug'));
  lua.lua_pop(L, 1);
}
