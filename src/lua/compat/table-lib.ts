// table.* as LuaJIT 2.1 with Kong's 5.2-compat build and OpenResty's extensions (clear, clone,
// isarray, isempty, new, nkeys): permissive insert/remove, truncated positions, 5.1 helpers.
import { lua, lauxlib, toLuaString, limits } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { formatNumberG } from './fast-number';
import { checkInt, getLibraryFunction, optInt, patchLibrary, raise } from './lua-helpers';
import { unpack } from './base-lib';
import { readsTablesRaw } from './raw-readers';
import { truncatingArgs } from './string-lib';

function checkTable(L: LuaState, arg: number): void {
  lauxlib.luaL_checktype(L, arg, lua.LUA_TTABLE);
}

const insert: LuaCFunction = (L) => {
  checkTable(L, 1);
  const nargs = lua.lua_gettop(L);
  let pos = lua.lua_rawlen(L, 1) + 1;
  if (nargs !== 2) {
    if (nargs !== 3) return raise(L, "wrong number of arguments to 'insert'");
    const target = checkInt(L, 2);
    for (; pos > target; pos--) {
      lua.lua_rawgeti(L, 1, pos - 1);
      lua.lua_rawseti(L, 1, pos);
    }
    pos = target;
  }
  lua.lua_pushvalue(L, nargs);
  lua.lua_rawseti(L, 1, pos);
  return 0;
};

const remove: LuaCFunction = (L) => {
  checkTable(L, 1);
  const len = lua.lua_rawlen(L, 1);
  if (lua.lua_isnoneornil(L, 2)) {
    if (len === 0) return 0;
    lua.lua_rawgeti(L, 1, len);
    lua.lua_pushnil(L);
    lua.lua_rawseti(L, 1, len);
    return 1;
  }
  const pos = checkInt(L, 2);
  if (pos < 1 || pos > len) return 0;
  lua.lua_rawgeti(L, 1, pos);
  for (let i = pos + 1; i <= len; i++) {
    lua.lua_rawgeti(L, 1, i);
    lua.lua_rawseti(L, 1, i - 1);
  }
  lua.lua_pushnil(L);
  lua.lua_rawseti(L, 1, len);
  return 1;
};

const concat: LuaCFunction = (L) => {
  checkTable(L, 1);
  const sep = lauxlib.luaL_optlstring(L, 2, toLuaString(''))!;
  const first = optInt(L, 3, 1);
  const last = lua.lua_isnoneornil(L, 4) ? lua.lua_rawlen(L, 1) : checkInt(L, 4);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = first; i <= last; i++) {
    const type = lua.lua_rawgeti(L, 1, i);
    let bytes: Uint8Array;
    if (type === lua.LUA_TSTRING) bytes = lua.lua_tolstring(L, -1)!;
    else if (type === lua.LUA_TNUMBER) bytes = toLuaString(formatNumberG(lua.lua_tonumber(L, -1), 14));
    else {
      const name = lua.lua_typename(L, type);
      return raise(L, `invalid value (${String.fromCharCode(...name)}) at index ${i} in table for 'concat'`);
    }
    lua.lua_pop(L, 1);
    if (i > first && sep.length > 0) { parts.push(sep); total += sep.length; }
    parts.push(bytes);
    total += bytes.length;
    if (total > limits.max_string_length) return raise(L, 'string length overflow');
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  lua.lua_pushstring(L, out);
  return 1;
};

const getn: LuaCFunction = (L) => {
  checkTable(L, 1);
  lua.lua_pushnumber(L, lua.lua_rawlen(L, 1));
  return 1;
};

const maxn: LuaCFunction = (L) => {
  checkTable(L, 1);
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -1);
      if (k > max) max = k;
    }
  }
  lua.lua_pushnumber(L, max);
  return 1;
};

const foreachi: LuaCFunction = (L) => {
  checkTable(L, 1);
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
  const n = lua.lua_rawlen(L, 1);
  for (let i = 1; i <= n; i++) {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushnumber(L, i);
    lua.lua_rawgeti(L, 1, i);
    lua.lua_call(L, 2, 1);
    if (!lua.lua_isnil(L, -1)) return 1;
    lua.lua_pop(L, 1);
  }
  return 0;
};

const foreach: LuaCFunction = (L) => {
  checkTable(L, 1);
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) {
    lua.lua_pushvalue(L, 2);
    lua.lua_pushvalue(L, -3);
    lua.lua_pushvalue(L, -3);
    lua.lua_call(L, 2, 1);
    if (!lua.lua_isnil(L, -1)) return 1;
    lua.lua_pop(L, 2);
  }
  return 0;
};

const pack: LuaCFunction = (L) => {
  const n = lua.lua_gettop(L);
  lua.lua_createtable(L, n, 1);
  lua.lua_insert(L, 1);
  for (let i = n; i >= 1; i--) lua.lua_rawseti(L, 1, i);
  lua.lua_pushnumber(L, n);
  lua.lua_setfield(L, 1, toLuaString('n'));
  return 1;
};

const newTable: LuaCFunction = (L) => {
  const narr = Math.max(0, checkInt(L, 1));
  const nrec = Math.max(0, checkInt(L, 2));
  lua.lua_createtable(L, Math.min(narr, 1 << 16), Math.min(nrec, 1 << 16));
  return 1;
};

const clear: LuaCFunction = (L) => {
  checkTable(L, 1);
  for (;;) {
    lua.lua_pushnil(L);
    if (!lua.lua_next(L, 1)) return 0;
    lua.lua_pop(L, 1);
    lua.lua_pushnil(L);
    lua.lua_rawset(L, 1);
  }
};

const clone: LuaCFunction = (L) => {
  checkTable(L, 1);
  lua.lua_createtable(L, lua.lua_rawlen(L, 1), 0);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) {
    lua.lua_pushvalue(L, -2);
    lua.lua_insert(L, -2);
    lua.lua_rawset(L, 2);
  }
  return 1;
};

const isarray: LuaCFunction = (L) => {
  checkTable(L, 1);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) {
    lua.lua_pop(L, 1);
    const k = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : NaN;
    if (!(Number.isInteger(k) && k >= 1)) {
      lua.lua_pop(L, 1);
      lua.lua_pushboolean(L, false);
      return 1;
    }
  }
  lua.lua_pushboolean(L, true);
  return 1;
};

const isempty: LuaCFunction = (L) => {
  checkTable(L, 1);
  lua.lua_pushnil(L);
  const hasKey = lua.lua_next(L, 1);
  if (hasKey) lua.lua_pop(L, 2);
  lua.lua_pushboolean(L, !hasKey);
  return 1;
};

const nkeys: LuaCFunction = (L) => {
  checkTable(L, 1);
  let n = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, 1)) { lua.lua_pop(L, 1); n++; }
  lua.lua_pushnumber(L, n);
  return 1;
};

export function installTable(L: LuaState): void {
  const first = (fn: LuaCFunction): LuaCFunction => readsTablesRaw(fn, 1);
  patchLibrary(L, 'table', {
    insert: first(insert), remove: first(remove), concat: first(concat), getn: first(getn), maxn: first(maxn),
    foreach: first(foreach), foreachi: first(foreachi), pack, unpack: first(unpack),
    new: newTable, clear: first(clear), clone: first(clone), isarray: first(isarray), isempty: first(isempty),
    nkeys: first(nkeys), sort: first(getLibraryFunction(L, 'table', 'sort')),
    move: readsTablesRaw(truncatingArgs(getLibraryFunction(L, 'table', 'move'), [2, 3, 4]), 1, 5),
  });
}
