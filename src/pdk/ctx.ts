// kong.ctx: per-request tables, created on first access and held in the scope until releaseScope.
// `shared` is one table for every plugin (lazy over the fields plugins hold in JS, shared-fields.ts);
// `plugin` is one per instance.
import { lua } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import type { LuaEngine } from '../lua/engine';
import { pushScopeTable } from './ngx/lua-util';
import { pushTable, type RawTable } from '../lua/raw-table';
import { tableAt } from '../lua/stack';
import type { PdkScope } from './scope';
import { luaToString, raise, scopeOf, stringArg } from './lua-util';
import { pushGuardedTable } from '../lua/guarded-table';
import type { DirectIndex } from '../lua/guarded-table';
import { scratchThread, takeScratchTop } from '../lua/scratch';
import { pushSharedTable, SHARED_REF } from './shared-fields';
import { getField, textOfString } from '../lua/strings';

export { SHARED_REF };

/**
 * Pushes the per-request table stored under `key` in the scope, creating it on first use (the
 * shared table lazily over the fields plugins hold in JS).
 */
export function pushRequestTable(_engine: LuaEngine, L: LuaState, scope: PdkScope, key: string): void {
  if (key !== SHARED_REF) {
    pushScopeTable(L, scope, key);
    return;
  }
  if (scope.sharedTable !== null) {
    pushTable(L, scope.sharedTable);
    return;
  }
  pushSharedTable(L, scope);
  scope.sharedTable = tableAt(L, -1) as RawTable;
}

/** Pushes kong.ctx.shared.<field> of the scope (nil when neither the table nor a pending field exists). */
export function pushSharedField(engine: LuaEngine, L: LuaState, scope: PdkScope, field: string): void {
  if (scope.sharedTable === null && scope.sharedSource?.[field] === undefined) { lua.lua_pushnil(L); return; }
  pushRequestTable(engine, L, scope, SHARED_REF);
  getField(L, -1, field);
  lua.lua_remove(L, -2);
}

/** Drops the per-request tables of a finished request. */
export function releaseScope(_engine: LuaEngine, scope: PdkScope): void {
  scope.sharedSource = undefined;
  scope.sharedTable = null;
  scope.tables = null;
  scope.directEdits = false;
}

/** The scope table behind kong.ctx[name], or null for any other key (nil). */
function ctxTableKey(scope: PdkScope, name: string | null): string | null {
  if (name === 'shared') return SHARED_REF;
  if (name === 'plugin') return `kong.ctx.plugin:${scope.plugin?.id ?? ''}`;
  return null;
}

/** Pushes the kong.ctx table: a live object (it has a metatable, so the sandbox does not copy it). */
export function pushCtxTable(engine: LuaEngine, L: LuaState): void {
  const index: LuaCFunction = (L2) => {
    const name = stringArg(L2, 2);
    if (name !== 'shared' && name !== 'plugin') { lua.lua_pushnil(L2); return 1; }
    const scope = scopeOf(engine, L2);
    pushRequestTable(engine, L2, scope, ctxTableKey(scope, name) as string);
    return 1;
  };
  const newIndex: LuaCFunction = (L2) => raise(L2, `Cannot modify kong.ctx.${luaToString(L2, 2)}. Protected by the sandbox.`);
  // `index` without the metamethod call; outside a request it leaves the read to `index` (which raises).
  const direct: DirectIndex = (L2, key, out) => {
    const scope = engine.currentHost as PdkScope | undefined;
    if (!scope || typeof scope !== 'object' || !('exchange' in scope)) return false;
    const table = ctxTableKey(scope, (key.type & 0x0f) === lua.LUA_TSTRING ? textOfString(key.value) : null);
    if (table === null) { out.setnilvalue(); return true; }
    const scratch = scratchThread(L2);
    pushRequestTable(engine, scratch, scope, table);
    takeScratchTop(scratch, out);
    return true;
  };
  pushGuardedTable(L, index, newIndex, direct);
}
