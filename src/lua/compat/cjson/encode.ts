// Lua value -> JSON bytes with lua-cjson's rules (array detection, sparse arrays, %.14g numbers,
// escaped '/', error messages). Strings are handled as bytes; the output is built one char per byte.
import { lua, lauxlib } from '../../fengari';
import type { LuaState } from '../../fengari';
import { formatNumberG } from '../fast-number';
import { lazySourceOf, materializeDeep } from '../../lazy';
import { bytesToLatin1, latin1ToBytes } from '../lua-helpers';
import { ARRAY_MT_KEY, EMPTY_ARRAY_MT_KEY, JSON_EMPTY_ARRAY, JSON_NULL, JsonConfig, JsonConversionError, defaultJsonConfig } from './config';

const ESCAPES: string[] = [];
for (let c = 0; c < 256; c++) {
  if (c < 32 || c === 127) ESCAPES[c] = '\\u' + c.toString(16).padStart(4, '0');
}
ESCAPES[8] = '\\b'; ESCAPES[9] = '\\t'; ESCAPES[10] = '\\n'; ESCAPES[12] = '\\f'; ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"'; ESCAPES[92] = '\\\\';

/** A JSON string literal of `bytes`, one char per byte (lua-cjson's escapes). */
export function escapeString(bytes: Uint8Array, slash: boolean): string {
  let start = 0;
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    const esc = c === 47 ? (slash ? '\\/' : undefined) : ESCAPES[c];
    if (esc === undefined) continue;
    if (i > start) out += bytesToLatin1(bytes.subarray(start, i));
    out += esc;
    start = i + 1;
  }
  if (start === 0) return '"' + bytesToLatin1(bytes) + '"';
  if (start < bytes.length) out += bytesToLatin1(bytes.subarray(start));
  return out + '"';
}

function typeName(L: LuaState, idx: number): string {
  return String.fromCharCode(...lauxlib.luaL_typename(L, idx));
}

function fail(L: LuaState, idx: number, reason: string): never {
  throw new JsonConversionError(`Cannot serialise ${typeName(L, idx)}: ${reason}`);
}

class Encoder {
  constructor(private readonly L: LuaState, private readonly cfg: JsonConfig) {}

  number(n: number, idx: number): string {
    if (!Number.isFinite(n)) {
      if (this.cfg.encodeInvalidNumbers === false) fail(this.L, idx, 'must not be NaN or Inf');
      if (this.cfg.encodeInvalidNumbers === 'null') return 'null';
      return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
    }
    return formatNumberG(n, this.cfg.encodeNumberPrecision);
  }

  /** Encodes the value at absolute index `idx`. */
  value(idx: number, depth: number): string {
    const L = this.L;
    switch (lua.lua_type(L, idx)) {
      case lua.LUA_TSTRING: return escapeString(lua.lua_tolstring(L, idx)!, this.cfg.encodeEscapeForwardSlash);
      case lua.LUA_TNUMBER: return this.number(lua.lua_tonumber(L, idx), idx);
      case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx) ? 'true' : 'false';
      case lua.LUA_TNIL: return 'null';
      case lua.LUA_TTABLE: return this.table(idx, depth + 1);
      case lua.LUA_TLIGHTUSERDATA: {
        const p = lua.lua_touserdata(L, idx);
        if (p === JSON_NULL) return 'null';
        if (p === JSON_EMPTY_ARRAY) return '[]';
        return fail(L, idx, 'type not supported');
      }
      default: return fail(L, idx, 'type not supported');
    }
  }

  private hasMetatable(idx: number, key: object): boolean {
    const L = this.L;
    if (!lua.lua_getmetatable(L, idx)) return false;
    lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, key);
    const same = lua.lua_rawequal(L, -1, -2);
    lua.lua_pop(L, 2);
    return same;
  }

  /** lua-cjson's lua_array_length: the array size, or -1 when the table must be an object. */
  private arrayLength(idx: number): number {
    const L = this.L;
    let max = 0;
    let items = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx)) {
      if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
        const k = lua.lua_tonumber(L, -2);
        if (Math.floor(k) === k && k >= 1) {
          if (k > max) max = k;
          items++;
          lua.lua_pop(L, 1);
          continue;
        }
      }
      lua.lua_pop(L, 2);
      return -1;
    }
    const cfg = this.cfg;
    if (cfg.encodeSparseRatio > 0 && max > items * cfg.encodeSparseRatio && max > cfg.encodeSparseSafe) {
      if (!cfg.encodeSparseConvert) fail(L, idx, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  private table(idx: number, depth: number): string {
    const L = this.L;
    if (depth > this.cfg.encodeMaxDepth) throw new JsonConversionError(`Cannot serialise, excessive nesting (${depth})`);
    lauxlib.luaL_checkstack(L, 6, 'JSON encoder');
    // A lazily marshalled table (a decoded body Lua has not fully read) holds only what was read.
    if (lazySourceOf(L, idx)) materializeDeep(L, idx);
    if (this.hasMetatable(idx, ARRAY_MT_KEY)) return this.array(idx, lua.lua_rawlen(L, idx), depth);
    const len = this.arrayLength(idx);
    if (len > 0 || (len === 0 && !this.cfg.encodeEmptyTableAsObject)) return this.array(idx, len, depth);
    if (len === 0 && this.hasMetatable(idx, EMPTY_ARRAY_MT_KEY)) return '[]';
    return this.object(idx, depth);
  }

  private array(idx: number, len: number, depth: number): string {
    const L = this.L;
    let out = '[';
    for (let i = 1; i <= len; i++) {
      lua.lua_rawgeti(L, idx, i);
      if (i > 1) out += ',';
      out += this.value(lua.lua_gettop(L), depth);
      lua.lua_pop(L, 1);
    }
    return out + ']';
  }

  private object(idx: number, depth: number): string {
    const L = this.L;
    let out = '{';
    let first = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx)) {
      const top = lua.lua_gettop(L);
      const keyType = lua.lua_type(L, top - 1);
      let key: string;
      if (keyType === lua.LUA_TSTRING) key = escapeString(lua.lua_tolstring(L, top - 1)!, this.cfg.encodeEscapeForwardSlash);
      else if (keyType === lua.LUA_TNUMBER) key = '"' + this.number(lua.lua_tonumber(L, top - 1), top - 1) + '"';
      else { lua.lua_settop(L, top); return fail(L, top - 1, 'table key must be a number or string'); }
      out += (first ? '' : ',') + key + ':' + this.value(top, depth);
      first = false;
      lua.lua_pop(L, 1);
    }
    return out + '}';
  }
}

/** JSON text (one char per byte) of the Lua value at `idx`; throws JsonConversionError like lua-cjson. */
export function encodeLuaValueToLatin1(L: LuaState, idx: number, cfg: JsonConfig = DEFAULTS): string {
  const base = lua.lua_gettop(L);
  try {
    return new Encoder(L, cfg).value(lua.lua_absindex(L, idx), 0);
  } finally {
    lua.lua_settop(L, base);
  }
}

/** JSON bytes of the Lua value at `idx` (the PDK uses this for kong.response.exit bodies). */
export function encodeLuaValueToJson(L: LuaState, idx: number, cfg: JsonConfig = DEFAULTS): Uint8Array {
  return latin1ToBytes(encodeLuaValueToLatin1(L, idx, cfg));
}

const DEFAULTS: JsonConfig = defaultJsonConfig();
