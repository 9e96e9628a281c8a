// The one read-only environment every template of an engine runs in. Its __index (a JS function)
// serves the request shortcuts — callouts, headers, query_params, uri_captures, shared — computed
// on first use per request and cached in the scope, and otherwise falls through to the engine's
// base environment (the sandbox set, or the globals in `on` mode). Writes raise an error.
import { lua } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import type { LuaEngine, LuaEnv } from '../lua/engine';
import { pushString } from '../lua/marshal';
import type { PdkScope } from '../pdk/scope';
import { pushRequestTable, pushSharedField, SHARED_REF } from '../pdk/ctx';
import { clientQuery, pushArgsTable } from '../pdk/request';
import { DEFAULT_MAX_HEADERS, headerFields, pushHeadersTable } from '../pdk/headers-table';
import { raise, scopeOf, stringArg } from '../pdk/lua-util';
import { keepScopeTable } from '../pdk/ngx/lua-util';
import { pushTable } from '../lua/raw-table';
import { pushGuardedTable } from '../lua/guarded-table';

export const READ_ONLY_MESSAGE = 'This environment is read-only.';

const envs = new WeakMap<LuaEngine, LuaEnv>();

/** Pushes a per-request table cached in the scope under `key`, building it with `build` once. */
function pushCached(L: LuaState, scope: PdkScope, key: string, build: () => void): void {
  const table = scope.tables?.get(key);
  if (table !== undefined) {
    pushTable(L, table);
    return;
  }
  build();
  keepScopeTable(L, scope, key);
}

/** uri_captures as templates see them: numeric keys from 0 (whole match) and named keys. */
export function pushUriCaptures(L: LuaState, scope: PdkScope): void {
  const captures = scope.exchange.route?.uriCaptures ?? null;
  lua.lua_createtable(L, captures ? captures.unnamed.length : 0, 0);
  if (!captures) return;
  captures.unnamed.forEach((v, i) => {
    pushString(L, v);
    lua.lua_rawseti(L, -2, i);
  });
  for (const [k, v] of Object.entries(captures.named)) {
    pushString(L, v);
    lua.lua_setfield(L, -2, k);
  }
}

function shortcutIndex(engine: LuaEngine): LuaCFunction {
  return (L) => {
    const key = stringArg(L, 2);
    switch (key) {
      case 'callouts':
        pushSharedField(engine, L, scopeOf(engine, L), 'callouts');
        return 1;
      case 'shared':
        pushRequestTable(engine, L, scopeOf(engine, L), SHARED_REF);
        return 1;
      case 'headers': {
        const scope = scopeOf(engine, L);
        pushCached(L, scope, 'template.headers', () =>
          pushHeadersTable(L, headerFields(scope.exchange.request.headers, DEFAULT_MAX_HEADERS)));
        return 1;
      }
      case 'query_params': {
        const scope = scopeOf(engine, L);
        pushCached(L, scope, 'template.query_params', () => pushArgsTable(L, clientQuery(scope)));
        return 1;
      }
      case 'uri_captures': {
        const scope = scopeOf(engine, L);
        pushCached(L, scope, 'template.uri_captures', () => pushUriCaptures(L, scope));
        return 1;
      }
      default:
        engine.pushBase(L);
        lua.lua_pushvalue(L, 2);
        lua.lua_gettable(L, -2);
        return 1;
    }
  };
}

const readOnly: LuaCFunction = (L) => raise(L, READ_ONLY_MESSAGE);

/** The shared template environment of `engine` (built once; the engine must be sealed). */
export function templateEnv(engine: LuaEngine): LuaEnv {
  const existing = envs.get(engine);
  if (existing) return existing;
  engine.seal();
  const L = engine.L;
  pushGuardedTable(L, shortcutIndex(engine), readOnly);
  const env = { ref: engine.ref(L) };
  envs.set(engine, env);
  return env;
}
