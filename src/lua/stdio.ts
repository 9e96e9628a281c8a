// print() and io.write() for `luagate run`: bytes out, numbers formatted as LuaJIT does.
import { lua, lauxlib } from './fengari';
import type { LuaState } from './fengari';
import type { LuaEngine } from './engine';

const TAB = new Uint8Array([9]);
const NEWLINE = new Uint8Array([10]);

export function installStdioGlobals(engine: LuaEngine, write: (bytes: Uint8Array) => void): void {
  const print = (L: LuaState): number => {
    const n = lua.lua_gettop(L);
    for (let i = 1; i <= n; i++) {
      if (i > 1) write(TAB);
      write(Uint8Array.prototype.slice.call(lauxlib.luaL_tolstring(L, i)));
      lua.lua_pop(L, 1);
    }
    write(NEWLINE);
    return 0;
  };
  const ioWrite = (L: LuaState): number => {
    const n = lua.lua_gettop(L);
    for (let i = 1; i <= n; i++) {
      const t = lua.lua_type(L, i);
      if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) lauxlib.luaL_checklstring(L, i);
      write(Uint8Array.prototype.slice.call(lauxlib.luaL_tolstring(L, i)));
      lua.lua_pop(L, 1);
    }
    return 0;
  };
  engine.defineGlobals((L) => {
    lua.lua_pushcfunction(L, print);
    lua.lua_setfield(L, -2, 'print');
    lua.lua_createtable(L, 0, 2);
    lua.lua_pushcfunction(L, ioWrite);
    lua.lua_setfield(L, -2, 'write');
    lua.lua_setfield(L, -2, 'io');
  });
}
