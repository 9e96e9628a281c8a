// LuaJIT 2.1 (Kong's 5.2-compat build) compatibility for a fengari (Lua 5.3) state.
// The engine calls installLuaJitCompat once on a fresh state after opening base, string, table,
// math, os and coroutine; the real library tables are patched in place.
import type { LuaState, LuaCFunction } from '../fengari';
import { installBase, LoadstringOptions } from './base-lib';
import { installBit } from './bit-lib';
import { installMath } from './math-lib';
import { installOs } from './os-lib';
import { installString } from './string-lib';
import { installTable } from './table-lib';
import { openCjson, openCjsonSafe } from './cjson/module';

export type LuaJitCompatOptions = LoadstringOptions;

export function installLuaJitCompat(L: LuaState, options: LuaJitCompatOptions = {}): void {
  installString(L);
  installTable(L);
  installMath(L);
  installOs(L);
  installBit(L);
  installBase(L, options);
}

/** Loaders for the engine's require(): each pushes the module table and returns 1. */
export const luaModuleLoaders: Record<string, LuaCFunction> = {
  cjson: openCjson,
  'cjson.safe': openCjsonSafe,
};

export { encodeLuaValueToJson, encodeLuaValueToLatin1 } from './cjson/encode';
export { pushJsonAsLua } from './cjson/decode';
export { JsonConfig, JsonConversionError, JSON_NULL, JSON_EMPTY_ARRAY, defaultJsonConfig } from './cjson/config';
export { formatG } from '../number-format';
