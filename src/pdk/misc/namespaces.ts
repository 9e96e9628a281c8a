// kong.vault, kong.router, kong.node and kong.table.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { lua, lauxlib, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { pushValue } from '../../lua/marshal';
import { isVaultReference, resolveVaultReference } from '../../config/vault';
import { decodeText, keepScopeTable, pushScopeTable, pushText, requireScope } from '../ngx/lua-util';

export function vaultFunctions(): Record<string, LuaCFunction> {
  return {
    get: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
        lua.lua_pushnil(L);
        pushText(L, 'reference must be a string');
        return 2;
      }
      const resolved = resolveVaultReference(decodeText(lua.lua_tolstring(L, 1) as Uint8Array));
      if ('value' in resolved) { pushText(L, resolved.value); return 1; }
      lua.lua_pushnil(L);
      pushText(L, resolved.error);
      return 2;
    },
    is_reference: (L) => {
      const isRef = lua.lua_type(L, 1) === lua.LUA_TSTRING && isVaultReference(decodeText(lua.lua_tolstring(L, 1) as Uint8Array));
      lua.lua_pushboolean(L, isRef);
      return 1;
    },
  };
}

/** get_route/get_service: the entity as a table, built once per request so repeated calls agree. */
export function routerFunctions(engine: LuaEngine): Record<string, LuaCFunction> {
  const entity = (which: 'route' | 'service'): LuaCFunction => (L) => {
    const scope = requireScope(engine, L);
    const info = scope.exchange.route;
    const value = info === null ? null : which === 'route' ? info.route : info.service;
    if (value === null) { lua.lua_pushnil(L); return 1; }
    const key = `kong.router.${which}`;
    if (scope.tables?.has(key) !== true) {
      pushValue(L, value);
      keepScopeTable(L, scope, key);
      return 1;
    }
    pushScopeTable(L, scope, key);
    return 1;
  };
  return { get_route: entity('route'), get_service: entity('service') };
}

const NODE_ID = randomUUID();
const NODE_HOSTNAME = hostname();

export function nodeFunctions(): Record<string, LuaCFunction> {
  return {
    get_id: (L) => { pushText(L, NODE_ID); return 1; },
    get_hostname: (L) => { pushText(L, NODE_HOSTNAME); return 1; },
  };
}

/** kong.table.merge(t1, t2): a new table with t1's entries, then t2's (shallow; either may be nil). */
const merge: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  lua.lua_createtable(L, 0, 0);
  for (const arg of [1, 2]) {
    if (!lua.lua_toboolean(L, arg)) continue;
    lauxlib.luaL_checktype(L, arg, lua.LUA_TTABLE);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, arg)) {
      lua.lua_pushvalue(L, -2);
      lua.lua_insert(L, -2);
      lua.lua_rawset(L, 3);
    }
  }
  return 1;
};

/** kong.table: new/clear are LuaJIT's table.new/table.clear (already in the state), merge is Kong's. */
export function pushTableNamespace(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  lua.lua_getglobal(L, toLuaString('table'));
  for (const name of ['new', 'clear']) {
    lua.lua_getfield(L, -1, toLuaString(name));
    lua.lua_setfield(L, -3, toLuaString(name));
  }
  lua.lua_pop(L, 1);
  lua.lua_pushcfunction(L, merge);
  lua.lua_setfield(L, -2, toLuaString('merge'));
}
