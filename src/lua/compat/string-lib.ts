// string.* as LuaJIT: number arguments are truncated (fengari raises "number has no integer
// representation"), string.char rejects bytes outside 0..255 with LuaJIT's message, find/match clamp
// their start position, and string.format is LuaJIT's (see string-format.ts).
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { checkInt, getLibraryFunction, patchLibrary } from './lua-helpers';
import { stringFormat } from './string-format';
import { luaJitCaptureErrors, luaJitGsub } from './pattern-compat';

/** Replaces the number arguments at `positions` by truncated integers, then runs the original. */
export function truncatingArgs(original: LuaCFunction, positions: number[]): LuaCFunction {
  return (L) => {
    for (const pos of positions) {
      if (lua.lua_type(L, pos) === lua.LUA_TNUMBER || (lua.lua_type(L, pos) === lua.LUA_TSTRING && lua.lua_isnumber(L, pos))) {
        lua.lua_pushinteger(L, checkInt(L, pos));
        lua.lua_replace(L, pos);
      }
    }
    return original(L);
  };
}

const char: LuaCFunction = (L) => {
  const n = lua.lua_gettop(L);
  const out = new Uint8Array(n);
  for (let i = 1; i <= n; i++) {
    const c = checkInt(L, i);
    if (c < 0 || c > 255) return lauxlib.luaL_argerror(L, i, toLuaString('invalid value'));
    out[i - 1] = c;
  }
  lua.lua_pushstring(L, out);
  return 1;
};

/** find/match: LuaJIT clamps a start beyond the end to the end instead of failing. */
function clampedInit(original: LuaCFunction): LuaCFunction {
  return (L) => {
    const len = lauxlib.luaL_checklstring(L, 1).length;
    if (!lua.lua_isnoneornil(L, 3)) {
      let init = checkInt(L, 3);
      if (init > len + 1) init = len + 1;
      lua.lua_pushinteger(L, init);
      lua.lua_replace(L, 3);
    }
    return original(L);
  };
}

const rep: LuaCFunction = (L) => {
  lauxlib.luaL_checklstring(L, 1);
  const n = checkInt(L, 2);
  if (n <= 0) {
    lua.lua_pushstring(L, toLuaString(''));
    return 1;
  }
  lua.lua_pushinteger(L, n);
  lua.lua_replace(L, 2);
  return originalRep!(L);
};
let originalRep: LuaCFunction | undefined;

export function installString(L: LuaState): void {
  const original = (name: string) => getLibraryFunction(L, 'string', name);
  originalRep = original('rep');
  patchLibrary(L, 'string', {
    sub: truncatingArgs(original('sub'), [2, 3]),
    byte: truncatingArgs(original('byte'), [2, 3]),
    gsub: truncatingArgs(luaJitGsub(original('gsub')), [4]),
    find: clampedInit(luaJitCaptureErrors(original('find'))),
    match: clampedInit(luaJitCaptureErrors(original('match'))),
    gmatch: luaJitCaptureErrors(original('gmatch')),
    char,
    rep,
    format: stringFormat,
  });
  // Lua 5.3 additions LuaJIT does not have.
  lua.lua_getglobal(L, toLuaString('string'));
  for (const name of ['pack', 'unpack', 'packsize']) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
  // Method calls on strings ("x"):sub(1.5) must reach the patched table.
  lua.lua_pushstring(L, toLuaString(''));
  if (lua.lua_getmetatable(L, -1)) {
    lua.lua_pushvalue(L, -3);
    lua.lua_setfield(L, -2, toLuaString('__index'));
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 2);
}
