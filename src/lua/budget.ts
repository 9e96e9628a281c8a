// CPU-time budget of one Lua call. A count hook checks the clock every HOOK_INSTRUCTIONS VM
// instructions. Past the deadline it *yields* (a Lua error could be caught by pcall and the loop
// would go on); the runner then drops the coroutine and never resumes it. Where yielding is not
// possible (inside a sort comparator, a metamethod called from JS) it raises an error instead and
// makes the root coroutine check again at its very next instruction, where it can yield.
import { lua } from './fengari';
import type { LuaState } from './fengari';

export const HOOK_INSTRUCTIONS = 1000;

export interface BudgetedCall {
  /** The coroutine the host resumes; only it may be abandoned by a yield. */
  readonly root: LuaState;
  deadline: number;
  timedOut: boolean;
  /** kong.response.exit (or another host stop) asked to abandon the call. */
  stopping: boolean;
}

export class BudgetHook {
  /** The call currently running on this state (set around each resume). */
  active: BudgetedCall | null = null;

  readonly hook = (L: LuaState): void => {
    const call = this.active;
    if (!call) return;
    if (!call.stopping) {
      if (performance.now() <= call.deadline) return;
      call.timedOut = true;
    }
    if (L !== call.root) lua.lua_sethook(call.root, this.hook, lua.LUA_MASKCOUNT, 1);
    if (lua.lua_isyieldable(L)) {
      lua.lua_yield(L, 0);
      return;
    }
    lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, 1);
    lua.lua_pushstring(L, call.timedOut ? 'execution time budget exceeded' : 'request was terminated');
    lua.lua_error(L);
  };

  install(L: LuaState): void {
    lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
  }
}
