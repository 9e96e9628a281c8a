// Direct reads of fengari stack slots for the host's hottest checks (is this a table, which string
// is this). The public API resolves an index, checks it and switches on the type on every call;
// these read the slot. Only for stack indices (positive or negative), never pseudo-indices.
import { lua } from './fengari';
import type { LuaState } from './fengari';

export interface StackSlot {
  /** fengari's tagged type (LUA_TTABLE for tables; strings have variant bits). */
  readonly type: number;
  readonly value: unknown;
}

interface StateInternals {
  readonly stack: Array<StackSlot | undefined>;
  readonly top: number;
  readonly ci: { readonly funcOff: number };
}

const TABLE = lua.LUA_TTABLE;

/** The slot at stack index `idx`, or undefined when the index is above the top. */
export function slotAt(L: LuaState, idx: number): StackSlot | undefined {
  const state = L as unknown as StateInternals;
  if (idx > 0) {
    const at = state.ci.funcOff + idx;
    return at < state.top ? state.stack[at] : undefined;
  }
  return state.stack[state.top + idx];
}

/** fengari's table object at `idx` (what lua_topointer returns), or null when it is not a table. */
export function tableAt(L: LuaState, idx: number): object | null {
  const slot = slotAt(L, idx);
  return slot !== undefined && slot.type === TABLE ? slot.value as object : null;
}

/** A slot the VM hands to host hooks for a result (fengari's TValue). */
export interface WritableSlot extends StackSlot {
  setfrom(other: StackSlot): void;
  setnilvalue(): void;
  /** Makes the slot hold the table object `table`. */
  sethvalue(table: object): void;
}
