// Modules `require` can load. Nothing is loaded from disk: only these built-ins exist, and in
// sandbox mode only those listed in untrusted_lua_sandbox_requires are allowed.
import { lua } from './fengari';
import type { LuaState } from './fengari';
import type { LuaEngine } from './engine';
import { luaModuleLoaders } from './compat';

function globalModule(name: string) {
  return (L: LuaState): number => {
    lua.lua_getglobal(L, name);
    return 1;
  };
}

export const BUILTIN_MODULE_NAMES: readonly string[] = [...Object.keys(luaModuleLoaders), 'bit', 'string', 'table', 'math', 'os', 'coroutine'];

export function installBuiltinModules(engine: LuaEngine): void {
  for (const [name, loader] of Object.entries(luaModuleLoaders)) engine.registerModule(name, loader);
  for (const name of ['bit', 'string', 'table', 'math', 'os', 'coroutine']) engine.registerModule(name, globalModule(name));
}
