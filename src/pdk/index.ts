// Installs the PDK into a Lua engine: the global `kong` table (request, service.request, response,
// ctx, log), then the ngx.* and the other kong.* namespaces when those modules are present. PDK
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

export interface PdkOptions extends Partial<RequestOptions> {
  /** Skip ngx.* and kong.client/vault/router/node/table/version even when their modules exist. */
  readonly coreOnly?: boolean;
}

type OptionalInstaller = (engine: LuaEngine, ...rest: unknown[]) => void;

/** Loads an installer from a sibling module that another part of the code base may not ship yet. */
function optionalInstaller(modulePath: string, exportName: string): OptionalInstaller | null {
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(modulePath) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(modulePath.slice(2))) return null;
    throw e;
  }
  const fn = mod[exportName];
  return typeof fn === 'function' ? (fn as OptionalInstaller) : null;
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
  optionalInstaller('./misc', 'installKongMisc')?.(engine);
  optionalInstaller('./ngx', 'installNgx')?.(engine);
}

export { releaseScope, pushRequestTable, pushSharedField, SHARED_REF } from './ctx';
export { createScope } from './scope';
export type { PdkScope } from './scope';
