// kong.client, kong.vault, kong.router, kong.node, kong.table, kong.version and kong.version_num.
// `addKongMisc` adds them to a kong table on the stack; `installKongMisc` does it for the global
// `kong` (creating it when absent), as src/pdk/index.ts calls it after defining kong.
import { lua, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { KONG_VERSION } from '../../proxy/version';
import { pushText } from '../ngx/lua-util';
import { clientFunctions } from './client';
import { nodeFunctions, pushTableNamespace, routerFunctions, vaultFunctions } from './namespaces';

/** Kong's version_num: format("%d%.2d%.2d", major * 100, minor * 10, patch) — 3.12.0 → 30012000. */
export function kongVersionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const two = (n: number): string => String(n).padStart(2, '0');
  return Number(`${major * 100}${two(minor * 10)}${two(patch)}`);
}

function setFunctionTable(L: LuaState, kong: number, name: string, fns: Record<string, LuaCFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(fns).length);
  for (const [key, fn] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, toLuaString(key));
  }
  lua.lua_setfield(L, kong, toLuaString(name));
}

/** Adds the misc namespaces to the kong table at `kongIndex`. */
export function addKongMisc(engine: LuaEngine, L: LuaState, kongIndex: number): void {
  const kong = lua.lua_absindex(L, kongIndex);
  setFunctionTable(L, kong, 'client', clientFunctions(engine));
  setFunctionTable(L, kong, 'vault', vaultFunctions());
  setFunctionTable(L, kong, 'router', routerFunctions(engine));
  setFunctionTable(L, kong, 'node', nodeFunctions());
  pushTableNamespace(L);
  lua.lua_setfield(L, kong, toLuaString('table'));
  pushText(L, KONG_VERSION);
  lua.lua_setfield(L, kong, toLuaString('version'));
  lua.lua_pushnumber(L, kongVersionNumber(KONG_VERSION));
  lua.lua_setfield(L, kong, toLuaString('version_num'));
}

/** Adds the misc namespaces to the global `kong` (created when missing). Call before engine.seal(). */
export function installKongMisc(engine: LuaEngine): void {
  engine.defineGlobals((L) => {
    if (lua.lua_getglobal(L, toLuaString('kong')) !== lua.LUA_TTABLE) {
      lua.lua_pop(L, 1);
      lua.lua_createtable(L, 0, 8);
      lua.lua_pushvalue(L, -1);
      lua.lua_setglobal(L, toLuaString('kong'));
    }
    addKongMisc(engine, L, -1);
    lua.lua_pop(L, 1);
  });
}
