// The global `ngx` table. Snippets see one table for every request, so per-request parts are
// reached through metamethods that ask the running call's PdkScope: ngx.var reads the Exchange,
// ngx.ctx is a table kept in scope.refs. The table itself is read-only (writes raise the sandbox's
// message) except `ngx.ctx = {...}`, which replaces the request's ctx as OpenResty allows.
import { lua, lauxlib, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { JSON_NULL } from '../../lua/compat';
import { argFunctions } from './args';
import { digestFunctions } from './digest';
import { timeFunctions } from './time';
import { reFunctions } from './regex/re';
import { installReq } from './req';
import { NGX_LOG_LEVELS, ngxLog } from './log';
import { NGX_METHOD_CONSTANTS, NGX_RESULT_CONSTANTS, NGX_STATUS_CONSTANTS } from './constants';
import { installVar } from './var';
import { installCtx } from './ctx';
import { defineReadOnlyTable, pushText, raise, setFunctions, setNumbers } from './lua-util';

export { NGX_CTX_REF, pushNgxCtx } from './ctx';

/** Nominal versions reported by ngx.config (OpenResty 1.25.3 as bundled with Kong 3.10–3.12). */
const NGINX_VERSION = 1025003;
const NGX_LUA_VERSION = 10026;

function installMisc(engine: LuaEngine): Record<string, LuaCFunction> {
  return {
    log: ngxLog(engine),
    get_phase: (L) => { pushText(L, 'access'); return 1; },
    sleep: (L) => {
      const ms = Math.trunc(lauxlib.luaL_checknumber(L, 1) * 1000);
      if (ms < 0) return raise(L, `invalid sleep duration "${ms}"`);
      return engine.suspend(L, new Promise((resolve) => setTimeout(() => resolve(() => 0), ms)));
    },
  };
}

function installConfigAndWorker(L: LuaState, raw: number): void {
  defineReadOnlyTable(L, raw, 'config', 'ngx.config', (L1) => {
    pushText(L1, 'http');
    lua.lua_setfield(L1, -2, toLuaString('subsystem'));
    setNumbers(L1, { nginx_version: NGINX_VERSION, ngx_lua_version: NGX_LUA_VERSION });
    lua.lua_pushboolean(L1, false);
    lua.lua_setfield(L1, -2, toLuaString('debug'));
  });
  defineReadOnlyTable(L, raw, 'worker', 'ngx.worker', (L1) => {
    setFunctions(L1, {
      pid: (L2) => { lua.lua_pushnumber(L2, process.pid); return 1; },
      id: (L2) => { lua.lua_pushnumber(L2, 0); return 1; },
      count: (L2) => { lua.lua_pushnumber(L2, 1); return 1; },
      exiting: (L2) => { lua.lua_pushboolean(L2, false); return 1; },
    });
  });
}

/** Defines the global `ngx`. Call before engine.seal(). */
export function installNgx(engine: LuaEngine): void {
  engine.defineGlobals((L) => {
    const globals = lua.lua_gettop(L);
    lua.lua_createtable(L, 0, 128);
    const raw = lua.lua_gettop(L);
    setFunctions(L, { ...argFunctions, ...digestFunctions, ...timeFunctions, ...installMisc(engine) });
    setNumbers(L, { ...NGX_STATUS_CONSTANTS, ...NGX_METHOD_CONSTANTS, ...NGX_RESULT_CONSTANTS, ...NGX_LOG_LEVELS });
    // ngx.null must equal cjson.null for snippets; cjson owns that sentinel (see log.ts for marshal's).
    lua.lua_pushlightuserdata(L, JSON_NULL);
    lua.lua_setfield(L, raw, toLuaString('null'));
    // A match isolated for its backtracking bound is stopped at the engine's call budget.
    const regexBudget = {
      timeLimitMs: engine.options.timeBudgetMs,
      deadline: () => engine.currentDeadline,
      overBudget: (L2: LuaState) => engine.checkBudgetNow(L2),
    };
    defineReadOnlyTable(L, raw, 're', 'ngx.re', (L1) => setFunctions(L1, reFunctions(regexBudget)));
    defineReadOnlyTable(L, raw, 'req', 'ngx.req', (L1) => installReq(engine, L1));
    installConfigAndWorker(L, raw);
    installVar(engine, L, raw);
    installCtx(engine, L, raw);   // leaves the public ngx table on the stack
    lua.lua_setfield(L, globals, toLuaString('ngx'));
    lua.lua_settop(L, globals);
  });
}
