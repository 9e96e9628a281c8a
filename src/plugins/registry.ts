// Every plugin luagate implements, by name, and the process runtime they are created with.
// `luagate start` calls createPluginSetup(settings) once per process.
import type { Settings } from '../config/types';
import { LuaEngine } from '../lua/engine';
import { installBuiltinModules } from '../lua/modules';
import { installPdk } from '../pdk';
import { GatewayLogger } from '../proxy/log';
import type { PluginFactory } from './plugin';
import { requestCalloutFactory, type PluginRuntime } from './request-callout';

export type { PluginRuntime };

export const PLUGIN_FACTORIES: ReadonlyMap<string, PluginFactory<PluginRuntime>> = new Map([
  [requestCalloutFactory.name, requestCalloutFactory],
]);

export interface PluginSetup {
  readonly factories: ReadonlyMap<string, PluginFactory<PluginRuntime>>;
  readonly runtime: PluginRuntime;
}

/** One Lua engine per process: built-in modules (cjson, bit...), the PDK, then sealed. */
export function createLuaEngine(settings: Settings): LuaEngine {
  const engine = new LuaEngine({
    mode: settings.untrusted_lua,
    sandboxRequires: settings.untrusted_lua_sandbox_requires,
    sandboxEnvironment: settings.untrusted_lua_sandbox_environment,
    timeBudgetMs: settings.lua_time_budget_ms,
    maxStringBytes: settings.lua_max_string_bytes,
    maxPatternSteps: settings.lua_max_pattern_steps,
    directSnippets: settings.direct_snippets,
  });
  installBuiltinModules(engine);
  installPdk(engine);
  engine.seal();
  return engine;
}

export function createPluginSetup(settings: Settings): PluginSetup {
  return {
    factories: PLUGIN_FACTORIES,
    runtime: {
      engine: createLuaEngine(settings),
      settings,
      logger: new GatewayLogger({ level: settings.log_level, format: settings.log_format, accessLog: false }),
    },
  };
}
