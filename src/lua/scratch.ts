// A spare thread per Lua state, for host code that runs inside the VM (the table hooks of our
// fengari patch): there `L` may be mid-instruction with no room reserved above its top, so values
// are built on this thread's stack and copied out. Nothing run on it may raise: it has no error
// handler, and an error there would abort.
import { lua } from './fengari';
import type { LuaState } from './fengari';
import { slotAt, type StackSlot, type WritableSlot } from './stack';

const SCRATCH_SLOT = Symbol('luagate scratch thread');

type GlobalSlots = Record<symbol, LuaState | undefined>;

function globalOf(L: LuaState): GlobalSlots {
  return (L as unknown as { l_G: GlobalSlots }).l_G;
}

/** Creates the state's scratch thread if needed; call from API code, where pushing is safe. */
export function ensureScratchThread(L: LuaState): void {
  const global = globalOf(L);
  if (global[SCRATCH_SLOT] !== undefined) return;
  global[SCRATCH_SLOT] = lua.lua_newthread(L);
  lua.lua_pop(L, 1);
}

/** The scratch thread (ensureScratchThread ran when the hooked table was made). Leave it empty. */
export function scratchThread(L: LuaState): LuaState {
  return globalOf(L)[SCRATCH_SLOT] as LuaState;
}

/** Copies the value on top of the scratch thread into `out` and empties the thread. */
export function takeScratchTop(scratch: LuaState, out: WritableSlot): void {
  out.setfrom(slotAt(scratch, -1) as StackSlot);
  lua.lua_settop(scratch, 0);
}
