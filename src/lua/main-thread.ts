// For `luagate run`: the file's top level behaves as LuaJIT's main thread, although the engine runs
// every call on a coroutine of its own (so the budget hook can stop it). There,
// `coroutine.isyieldable()` is false, `coroutine.yield` fails with LuaJIT's catchable error, and
// `coroutine.running()` says it is the main thread (`thread, true`, as Kong's LuaJIT, built with
// Lua 5.2 compatibility, returns). Inside coroutines the code creates, nothing changes.
import { lua, toLuaString } from './fengari';
import type { LuaState, LuaCFunction } from './fengari';
import type { LuaEngine } from './engine';

export function installMainThreadCoroutines(engine: LuaEngine): void {
  const isyieldable: LuaCFunction = (L) => {
    lua.lua_pushboolean(L, !engine.isCallRoot(L) && lua.lua_isyieldable(L));
    return 1;
  };
  const running: LuaCFunction = (L) => {
    const isMain = Boolean(lua.lua_pushthread(L));
    lua.lua_pushboolean(L, isMain || engine.isCallRoot(L));
    return 2;
  };
  const yieldFn: LuaCFunction = (L: LuaState) => {
    if (engine.isCallRoot(L)) {
      // lua_error, not luaL_error: LuaJIT's message carries no position.
      lua.lua_pushstring(L, toLuaString('attempt to yield across C-call boundary'));
      return lua.lua_error(L);
    }
    return lua.lua_yield(L, lua.lua_gettop(L));
  };
  engine.defineGlobals((L) => {
    if (lua.lua_getfield(L, -1, 'coroutine') !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1);
      return;
    }
    const replaced: Array<[string, LuaCFunction]> = [['isyieldable', isyieldable], ['running', running], ['yield', yieldFn]];
    for (const [name, fn] of replaced) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_pop(L, 1);
  });
}
