// ngx.escape_uri, ngx.unescape_uri, ngx.encode_args, ngx.decode_args, and the query-table builder
// shared with ngx.req.get_uri_args.
import { lua, lauxlib, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import { bytesToLatin1, latin1ToBytes } from '../../lua/compat/lua-helpers';
import { escapeUri, parseQuery, unescapeUri } from './uri-codec';
import type { ParsedQuery } from './uri-codec';
import { bytesOrEmpty, pushBytes, raise, typeName } from './lua-util';

export const DEFAULT_MAX_ARGS = 100;

const escape_uri: LuaCFunction = (L) => {
  const src = bytesOrEmpty(L, 1);
  let type = 2;
  if (!lua.lua_isnoneornil(L, 2)) {
    if (lua.lua_type(L, 2) !== lua.LUA_TNUMBER) return raise(L, '"type" is not a number');
    type = lua.lua_tonumber(L, 2);
    if (type < 0 || type > 6) return raise(L, `"type" ${type} out of range`);
    if (type !== 0 && type !== 2) return raise(L, `"type" ${type} is not supported by luagate (only 0 and 2)`);
  }
  pushBytes(L, escapeUri(src, type as 0 | 2));
  return 1;
};

const unescape_uri: LuaCFunction = (L) => {
  pushBytes(L, unescapeUri(bytesOrEmpty(L, 1)));
  return 1;
};

/** Appends `key` or `key=value` for one value of ngx.encode_args; false/nil add nothing. */
function appendArg(L: LuaState, parts: Uint8Array[], key: Uint8Array, valueIdx: number): void {
  switch (lua.lua_type(L, valueIdx)) {
    case lua.LUA_TSTRING:
    case lua.LUA_TNUMBER: {
      lua.lua_pushvalue(L, valueIdx);
      const value = escapeUri(lua.lua_tolstring(L, -1) as Uint8Array);
      lua.lua_pop(L, 1);
      const part = new Uint8Array(key.length + 1 + value.length);
      part.set(key);
      part[key.length] = 0x3d;
      part.set(value, key.length + 1);
      parts.push(part);
      return;
    }
    case lua.LUA_TBOOLEAN:
      if (lua.lua_toboolean(L, valueIdx)) parts.push(key);
      return;
    default:
      lauxlib.luaL_argerror(L, 1, toLuaString(`attempt to use ${typeName(L, valueIdx)} as query arg value`));
  }
}

/** Encodes the table at `tableIdx` as a query string (ngx.encode_args rules). Raises on bad keys/values. */
export function encodeArgsTable(L: LuaState, tableIdx: number): Uint8Array {
  const t = lua.lua_absindex(L, tableIdx);
  const parts: Uint8Array[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t)) {
    if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) {
      lauxlib.luaL_argerror(L, 1, toLuaString(`attempt to use ${typeName(L, -2)} as query arg name`));
    }
    const key = escapeUri(lua.lua_tolstring(L, -2) as Uint8Array);
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      const n = lua.lua_rawlen(L, -1);
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, -1, i);
        if (lua.lua_type(L, -1) === lua.LUA_TTABLE || lua.lua_type(L, -1) === lua.LUA_TNIL) {
          lauxlib.luaL_argerror(L, 1, toLuaString(`attempt to use ${typeName(L, -1)} as query arg value`));
        }
        appendArg(L, parts, key, lua.lua_gettop(L));
        lua.lua_pop(L, 1);
      }
    } else {
      appendArg(L, parts, key, lua.lua_gettop(L));
    }
    lua.lua_pop(L, 1);
  }
  return joinWith(parts, 0x26);
}

function joinWith(parts: Uint8Array[], separator: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  let size = Math.max(0, parts.length - 1);
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let o = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[o++] = separator;
    out.set(p, o);
    o += p.length;
  });
  return out;
}

const encode_args: LuaCFunction = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  pushBytes(L, encodeArgsTable(L, 1));
  return 1;
};

/** Pushes the Lua table of a parsed query: strings, `true` for bare keys, arrays for repeats. */
export function pushQueryTable(L: LuaState, parsed: ParsedQuery): void {
  const grouped = new Map<string, Array<Uint8Array | true>>();
  for (const arg of parsed.args) {
    const key = bytesToLatin1(arg.key);
    const values = grouped.get(key);
    if (values) values.push(arg.value);
    else grouped.set(key, [arg.value]);
  }
  lua.lua_createtable(L, 0, grouped.size);
  for (const [key, values] of grouped) {
    lua.lua_pushstring(L, latin1ToBytes(key));
    if (values.length === 1) {
      pushArgValue(L, values[0]);
    } else {
      lua.lua_createtable(L, values.length, 0);
      values.forEach((v, i) => {
        pushArgValue(L, v);
        lua.lua_rawseti(L, -2, i + 1);
      });
    }
    lua.lua_rawset(L, -3);
  }
}

function pushArgValue(L: LuaState, value: Uint8Array | true): void {
  if (value === true) lua.lua_pushboolean(L, true);
  else pushBytes(L, value);
}

/** Reads the optional max_args argument at `arg` (default 100, 0 = no limit). */
export function optMaxArgs(L: LuaState, arg: number): number {
  return lua.lua_isnoneornil(L, arg) ? DEFAULT_MAX_ARGS : Math.trunc(lauxlib.luaL_checknumber(L, arg));
}

const decode_args: LuaCFunction = (L) => {
  const src = lauxlib.luaL_checklstring(L, 1);
  pushQueryTable(L, parseQuery(src, optMaxArgs(L, 2)));
  return 1;
};

export const argFunctions: Readonly<Record<string, LuaCFunction>> = {
  escape_uri, unescape_uri, encode_args, decode_args,
};
