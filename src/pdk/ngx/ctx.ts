// ngx.ctx and the public ngx table. `raw` holds every ngx field; the public table is an empty
// proxy whose reads fall through to `raw` and, for the key "ctx", to the running request's table.
import { lua, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import type { PdkScope } from '../scope';
import { decodeText, keepScopeTable, pushProxyView, pushScopeTable, raise, requireScope, toStringBytes, typeName } from './lua-util';

/** Key of the request's ngx.ctx table in PdkScope.tables. */
export const NGX_CTX_REF = 'ngx.ctx';

/** Pushes the request's ngx.ctx table (created on first use). */
export function pushNgxCtx(L: LuaState, scope: PdkScope): void {
  pushScopeTable(L, scope, NGX_CTX_REF);
}

const CTX = 'ctx';

export function installCtx(engine: LuaEngine, L: LuaState, raw: number): void {
  // Reached only for keys `raw` lacks: answers "ctx", nil for anything else.
  const rawIndex: LuaCFunction = (L1) => {
    if (lua.lua_type(L1, 2) !== lua.LUA_TSTRING || lua.lua_tojsstring(L1, 2) !== CTX) return 0;
    pushNgxCtx(L1, requireScope(engine, L1));
    return 1;
  };

  const publicNewIndex: LuaCFunction = (L1) => {
    const key = decodeText(toStringBytes(L1, 2));
    if (key !== CTX) return raise(L1, `Cannot modify ngx.${key}. Protected by the sandbox.`);
    if (lua.lua_type(L1, 3) !== lua.LUA_TTABLE) return raise(L1, `ctx should be a table while getting a ${typeName(L1, 3)}`);
    const scope = requireScope(engine, L1);
    lua.lua_settop(L1, 3);
    keepScopeTable(L1, scope, NGX_CTX_REF);
    return 0;
  };

  lua.lua_createtable(L, 0, 1);
  lua.lua_pushcfunction(L, rawIndex);
  lua.lua_setfield(L, -2, toLuaString('__index'));
  lua.lua_setmetatable(L, raw);

  pushProxyView(L, raw, publicNewIndex);
}
