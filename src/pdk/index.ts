// Installs the PDK into a Lua engine: the global `kong` table (request, service.request, response,
// ctx, log), then kong.client/vault/router/node/table/version (src/pdk/misc) and ngx.* (src/pdk/ngx). PDK
// functions are JS closures registered once; they find the request through engine.currentHost,
// which the caller of engine.call sets to a PdkScope.
import { lua } from '../lua/fengari';
import type { LuaEngine } from '../lua/engine';
import { buildRequestFunctions } from './request';
import type { RequestOptions } from './request';
import { buildServiceRequestFunctions } from './service-request';
import { buildResponseFunctions } from './response';
import { pushCtxTable } from './ctx';
import { pushLogTable } from './log';
import { pushFunctionTable } from './lua-util';
import { installKongMisc } from './misc';
import { installNgx } from './ngx';

export interface PdkOptions extends Partial<RequestOptions> {
  /** Only kong.request/service.request/response/ctx/log: no ngx.* and no kong.client/vault/router/node/table. */
  readonly coreOnly?: boolean;
}

/** Defines `kong` (and ngx when available). Call before engine.seal(). */
export function installPdk(engine: LuaEngine, options: PdkOptions = {}): void {
  const requestOptions: RequestOptions = { isTrustedIp: options.isTrustedIp ?? (() => false) };
  engine.defineGlobals((L) => {
    lua.lua_createtable(L, 0, 8);
    pushFunctionTable(L, buildRequestFunctions(engine, requestOptions));
    lua.lua_setfield(L, -2, 'request');
    lua.lua_createtable(L, 0, 2);
    pushFunctionTable(L, buildServiceRequestFunctions(engine));
    lua.lua_setfield(L, -2, 'request');
    lua.lua_setfield(L, -2, 'service');
    pushFunctionTable(L, buildResponseFunctions(engine));
    lua.lua_setfield(L, -2, 'response');
    pushCtxTable(engine, L);
    lua.lua_setfield(L, -2, 'ctx');
    pushLogTable(engine, L);
    lua.lua_setfield(L, -2, 'log');
    lua.lua_setglobal(L, 'kong');
  });
  if (options.coreOnly) return;
  installKongMisc(engine);
  installNgx(engine);
}

export { releaseScope, pushRequestTable, pushSharedField, SHARED_REF } from './ctx';
export { createScope } from './scope';
export type { PdkScope } from './scope';
