// An empty table whose reads and writes go to host functions and whose metatable is hidden:
// the shape of every live PDK object (kong.ctx, ngx.var, the template environment).
import { lua } from './fengari';
import type { LuaState, LuaCFunction } from './fengari';
import { ensureScratchThread } from './scratch';
import type { StackSlot, WritableSlot } from './stack';
import { tableAt } from './stack';

/**
 * A read of a guarded table answered in place by the VM's table hook (lua/lazy): writes t[key]
 * into `out` and returns true, or returns false to leave the read to `__index`. It runs inside the
 * VM, so it must never raise (return false where `__index` would) and builds values on the
 * scratch thread (lua/scratch), never on `L`.
 */
export type DirectIndex = (L: LuaState, key: StackSlot, out: WritableSlot) => boolean;

/** The host data of a guarded table that has a direct read. */
export class GuardedHost {
  constructor(readonly index: DirectIndex) {}
}

/**
 * Pushes `setmetatable({}, {__index = index, __newindex = newIndex, __metatable = false})`.
 * `direct`, when given, must answer exactly as `index` does (it is only a faster way there).
 */
export function pushGuardedTable(L: LuaState, index: LuaCFunction, newIndex: LuaCFunction, direct?: DirectIndex): void {
  if (direct) ensureScratchThread(L);
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushcfunction(L, index);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_pushcfunction(L, newIndex);
  lua.lua_setfield(L, -2, '__newindex');
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, '__metatable');
  lua.lua_setmetatable(L, -2);
  if (direct) (tableAt(L, -1) as { host: unknown }).host = new GuardedHost(direct);
}
