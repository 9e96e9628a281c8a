// The Lua-facing cjson and cjson.safe modules (lua-cjson 2.1.0, OpenResty fork): encode, decode,
// new, the configuration functions, null, empty_array, array_mt and empty_array_mt.
import { lua, lauxlib, toLuaString } from '../../fengari';
import type { LuaState, LuaCFunction } from '../../fengari';
import { bytesToLatin1, latin1ToBytes, raise, setFunctions } from '../lua-helpers';
import { ARRAY_MT_KEY, EMPTY_ARRAY_MT_KEY, JSON_EMPTY_ARRAY, JSON_NULL, JsonConfig, JsonConversionError, defaultJsonConfig } from './config';
import { encodeLuaValueToLatin1 } from './encode';
import { pushJsonAsLua } from './decode';

const INT_MAX = 2147483647;

function checkOneArgument(L: LuaState): void {
  if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, toLuaString('expected 1 argument'));
}

function conversion(safe: boolean, run: (L: LuaState) => void): LuaCFunction {
  return (L) => {
    checkOneArgument(L);
    try {
      run(L);
    } catch (e) {
      if (!(e instanceof JsonConversionError)) throw e;
      if (!safe) return raise(L, e.message);
      lua.lua_pushnil(L);
      lua.lua_pushstring(L, toLuaString(e.message));
      return 2;
    }
    return 1;
  };
}

/** Reads an on/off option argument (boolean, "on" or "off") as lua-cjson's json_enum_option does. */
function enumOption(L: LuaState, arg: number, names: string[] = ['off', 'on']): number | undefined {
  if (lua.lua_isnoneornil(L, arg)) return undefined;
  if (lua.lua_type(L, arg) === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, arg) ? 1 : 0;
  const text = bytesToLatin1(lauxlib.luaL_checklstring(L, arg));
  const i = names.indexOf(text);
  if (i < 0) return lauxlib.luaL_argerror(L, arg, toLuaString(`invalid option '${text}'`));
  return i;
}

function integerOption(L: LuaState, arg: number, min: number, max: number): number | undefined {
  if (lua.lua_isnoneornil(L, arg)) return undefined;
  const n = lauxlib.luaL_checknumber(L, arg);
  if (!(Number.isInteger(n) && n >= min && n <= max)) {
    return lauxlib.luaL_argerror(L, arg, toLuaString(`expected integer between ${min} and ${max}`));
  }
  return n;
}

function booleanSetting(key: BooleanKeys<JsonConfig>, cfg: JsonConfig): LuaCFunction {
  return (L) => {
    const v = enumOption(L, 1);
    if (v !== undefined) cfg[key] = v === 1;
    lua.lua_pushboolean(L, cfg[key]);
    return 1;
  };
}
type BooleanKeys<T> = { [K in keyof T]: T[K] extends boolean ? K : never }[keyof T];

function configFunctions(cfg: JsonConfig): Record<string, LuaCFunction> {
  return {
    encode_sparse_array: (L) => {
      const convert = enumOption(L, 1);
      const ratio = integerOption(L, 2, 0, INT_MAX);
      const safe = integerOption(L, 3, 0, INT_MAX);
      if (convert !== undefined) cfg.encodeSparseConvert = convert === 1;
      if (ratio !== undefined) cfg.encodeSparseRatio = ratio;
      if (safe !== undefined) cfg.encodeSparseSafe = safe;
      lua.lua_pushboolean(L, cfg.encodeSparseConvert);
      lua.lua_pushnumber(L, cfg.encodeSparseRatio);
      lua.lua_pushnumber(L, cfg.encodeSparseSafe);
      return 3;
    },
    encode_max_depth: (L) => {
      cfg.encodeMaxDepth = integerOption(L, 1, 1, INT_MAX) ?? cfg.encodeMaxDepth;
      lua.lua_pushnumber(L, cfg.encodeMaxDepth);
      return 1;
    },
    decode_max_depth: (L) => {
      cfg.decodeMaxDepth = integerOption(L, 1, 1, INT_MAX) ?? cfg.decodeMaxDepth;
      lua.lua_pushnumber(L, cfg.decodeMaxDepth);
      return 1;
    },
    encode_number_precision: (L) => {
      cfg.encodeNumberPrecision = integerOption(L, 1, 1, 16) ?? cfg.encodeNumberPrecision;
      lua.lua_pushnumber(L, cfg.encodeNumberPrecision);
      return 1;
    },
    encode_invalid_numbers: (L) => {
      const v = enumOption(L, 1, ['off', 'on', 'null']);
      if (v !== undefined) cfg.encodeInvalidNumbers = v === 2 ? 'null' : v === 1;
      if (cfg.encodeInvalidNumbers === 'null') lua.lua_pushstring(L, toLuaString('null'));
      else lua.lua_pushboolean(L, cfg.encodeInvalidNumbers);
      return 1;
    },
    encode_keep_buffer: booleanSetting('encodeKeepBuffer', cfg),
    decode_invalid_numbers: booleanSetting('decodeInvalidNumbers', cfg),
    encode_escape_forward_slash: booleanSetting('encodeEscapeForwardSlash', cfg),
    encode_empty_table_as_object: booleanSetting('encodeEmptyTableAsObject', cfg),
    decode_array_with_array_mt: booleanSetting('decodeArrayWithArrayMt', cfg),
  };
}

/** Creates the registry metatables array_mt and empty_array_mt once per state. */
function ensureMetatables(L: LuaState): void {
  for (const key of [ARRAY_MT_KEY, EMPTY_ARRAY_MT_KEY]) {
    if (lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, key) === lua.LUA_TTABLE) { lua.lua_pop(L, 1); continue; }
    lua.lua_pop(L, 1);
    lua.lua_createtable(L, 0, 0);
    lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, key);
  }
}

/** Pushes a new cjson module table with its own configuration. */
export function pushCjsonModule(L: LuaState, safe: boolean): void {
  ensureMetatables(L);
  const cfg = defaultJsonConfig();
  lua.lua_createtable(L, 0, 20);
  setFunctions(L, {
    encode: conversion(safe, (L2) => { lua.lua_pushstring(L2, latin1ToBytes(encodeLuaValueToLatin1(L2, 1, cfg))); }),
    decode: conversion(safe, (L2) => { pushJsonAsLua(L2, lauxlib.luaL_checklstring(L2, 1), cfg); }),
    new: (L2) => { pushCjsonModule(L2, safe); return 1; },
    ...configFunctions(cfg),
  });
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, toLuaString('null'));
  lua.lua_pushlightuserdata(L, JSON_EMPTY_ARRAY);
  lua.lua_setfield(L, -2, toLuaString('empty_array'));
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT_KEY);
  lua.lua_setfield(L, -2, toLuaString('array_mt'));
  lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, EMPTY_ARRAY_MT_KEY);
  lua.lua_setfield(L, -2, toLuaString('empty_array_mt'));
  lua.lua_pushstring(L, toLuaString(safe ? 'cjson.safe' : 'cjson'));
  lua.lua_setfield(L, -2, toLuaString('_NAME'));
  lua.lua_pushstring(L, toLuaString('2.1.0.13'));
  lua.lua_setfield(L, -2, toLuaString('_VERSION'));
}

export const openCjson: LuaCFunction = (L) => { pushCjsonModule(L, false); return 1; };
export const openCjsonSafe: LuaCFunction = (L) => { pushCjsonModule(L, true); return 1; };
