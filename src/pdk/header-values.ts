// Validation and normalisation of header arguments, with the messages of Kong's private checks:
// values may be strings, numbers, booleans or arrays of strings; "" is sent as a single space.
import { lua } from '../lua/fengari';
import type { LuaState } from '../lua/fengari';
import { materialize } from '../lua/lazy';
import { luaToString, luaType, quoteLua, raise, stringArg } from './lua-util';

/** A header value as Kong sends it: "" becomes a single space. */
export function normalizeValue(v: string): string {
  return v === '' ? ' ' : v;
}

/** The header name at `idx`, or raises `invalid header name "x": got <type>, expected string`. */
export function checkHeaderName(L: LuaState, idx: number): string {
  const name = stringArg(L, idx);
  if (name === null) return raise(L, `invalid header name ${quoteLua(L, idx)}: got ${luaType(L, idx)}, expected string`);
  return name;
}

/** Values of one header argument (set_header/add_header), normalised as Kong sends them. */
export function headerValuesArg(L: LuaState, idx: number, nameIdx: number): string[] {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING: return [normalizeValue(stringArg(L, idx)!)];
    case lua.LUA_TNUMBER: case lua.LUA_TBOOLEAN: return [luaToString(L, idx)];
    case lua.LUA_TTABLE: {
      const values = arrayOfStrings(L, idx, nameIdx);
      if (values) return values;
      break;
    }
    default: break;
  }
  return raise(L, `invalid header value for ${quoteLua(L, nameIdx)}: got ${luaType(L, idx)}, expected array of string, string, number or boolean`);
}

function arrayOfStrings(L: LuaState, idx: number, nameIdx: number): string[] | null {
  const t = lua.lua_absindex(L, idx);
  materialize(L, t);
  const n = lua.lua_rawlen(L, t);
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, t, i);
    if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      const type = luaType(L, -1);
      lua.lua_pop(L, 1);
      return raise(L, `invalid header value in array ${quoteLua(L, nameIdx)}: got ${type}, expected string`);
    }
    out.push(normalizeValue(stringArg(L, -1)!));
    lua.lua_pop(L, 1);
  }
  return out;
}

/**
 * Reads a headers table (set_headers, kong.response.exit) into [name, values] pairs, after
 * validating every entry first (Kong's validate_headers), sorted by name for a stable order.
 */
/** The order headersTableArg gives a headers table's fields: by name, code unit by code unit. */
export function byHeaderName(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export function headersTableArg(L: LuaState, idx: number): Array<[string, string[]]> {
  const t = lua.lua_absindex(L, idx);
  materialize(L, t);
  const out: Array<[string, string[]]> = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t)) {
    const keyIdx = lua.lua_gettop(L) - 1;
    if (lua.lua_type(L, keyIdx) !== lua.LUA_TSTRING) {
      return raise(L, `invalid header name ${quoteLua(L, keyIdx)}: got ${luaType(L, keyIdx)}, expected string`);
    }
    const name = stringArg(L, keyIdx)!;
    const type = lua.lua_type(L, -1);
    let values: string[];
    if (type === lua.LUA_TSTRING) values = [normalizeValue(stringArg(L, -1)!)];
    else if (type === lua.LUA_TNUMBER || type === lua.LUA_TBOOLEAN) values = [luaToString(L, -1)];
    else if (type === lua.LUA_TTABLE) values = arrayOfStrings(L, -1, keyIdx)!;
    else {
      return raise(L, `invalid header value for ${quoteLua(L, keyIdx)}: got ${luaType(L, -1)}, expected string, number, boolean or array of strings`);
    }
    out.push([name, values]);
    lua.lua_pop(L, 1);
  }
  return out.sort(byHeaderName);
}
