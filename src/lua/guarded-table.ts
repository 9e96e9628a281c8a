// An empty table whose reads and writes go to host functions and whose metatable is hidden:
// the shape of every live PDK object (kong.ctx, ngx.var, the template environment).
import { lua } from './fengari';
import type { LuaState, LuaCFunction } from './fengari';

/** Pushes `setmetatable({}, {__index = index, __newindex = newIndex, __metatable = false})`. */
export function pushGuardedTable(L: LuaState, index: LuaCFunction, newIndex: LuaCFunction): void {
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushcfunction(L, index);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_pushcfunction(L, newIndex);
  lua.lua_setfield(L, -2, '__newindex');
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, '__metatable');
  lua.lua_setmetatable(L, -2);
}
