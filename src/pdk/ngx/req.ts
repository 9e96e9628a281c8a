// ngx.req read-only getters. As in nginx, they see the request as plugins have changed it so far
// (Kong's kong.service.request.* edit the same request), i.e. the Exchange's upstream request.
import { lua, lauxlib, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import type { Exchange } from '../exchange';
import { optMaxArgs, pushQueryTable } from './args';
import { parseQuery } from './uri-codec';
import { pushBytes, pushText, requireScope, setFunctions, utf8 } from './lua-util';

const DEFAULT_MAX_HEADERS = 100;
const bodiesRead = new WeakMap<Exchange, Uint8Array>();

/** The body as far as it is known now: a replacement set by a plugin, else what was read. */
export function currentBody(ex: Exchange): Uint8Array | undefined {
  if (ex.upstream.body instanceof Uint8Array) return ex.upstream.body;
  return ex.request.bufferedBody ?? bodiesRead.get(ex);
}

/** __index of get_headers() tables: `headers.content_type` and `headers["Content-Type"]` both work. */
const normalizedHeaderIndex: LuaCFunction = (L) => {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return 0;
  const key = lua.lua_tojsstring(L, 2) ?? '';
  const normalized = key.toLowerCase().replace(/_/g, '-');
  if (normalized === key) return 0;
  lua.lua_pushstring(L, toLuaString(normalized));
  lua.lua_rawget(L, 1);
  return 1;
};

export function installReq(engine: LuaEngine, L: LuaState): void {
  // One shared metatable for every get_headers() result.
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushcfunction(L, normalizedHeaderIndex);
  lua.lua_setfield(L, -2, toLuaString('__index'));
  const headersMetaRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);

  const get_headers: LuaCFunction = (L1) => {
    const ex = requireScope(engine, L1).exchange;
    let max = lua.lua_isnoneornil(L1, 1) ? DEFAULT_MAX_HEADERS : Math.trunc(lauxlib.luaL_checknumber(L1, 1));
    if (max < 0) max = DEFAULT_MAX_HEADERS;
    const raw = lua.lua_toboolean(L1, 2);
    const entries = ex.upstream.headers.entries();
    const truncated = max !== 0 && entries.length > max;
    const grouped = new Map<string, string[]>();
    for (const [name, value] of truncated ? entries.slice(0, max) : entries) {
      const key = raw ? name : name.toLowerCase();
      const values = grouped.get(key);
      if (values) values.push(value); else grouped.set(key, [value]);
    }
    lua.lua_createtable(L1, 0, grouped.size);
    for (const [key, values] of grouped) {
      pushText(L1, key);
      if (values.length === 1) {
        pushText(L1, values[0]);
      } else {
        lua.lua_createtable(L1, values.length, 0);
        values.forEach((v, i) => { pushText(L1, v); lua.lua_rawseti(L1, -2, i + 1); });
      }
      lua.lua_rawset(L1, -3);
    }
    if (!raw) {
      lua.lua_rawgeti(L1, lua.LUA_REGISTRYINDEX, headersMetaRef);
      lua.lua_setmetatable(L1, -2);
    }
    if (!truncated) return 1;
    pushText(L1, 'truncated');
    return 2;
  };

  const get_uri_args: LuaCFunction = (L1) => {
    const ex = requireScope(engine, L1).exchange;
    const parsed = parseQuery(utf8(ex.upstream.rawQuery), optMaxArgs(L1, 1));
    pushQueryTable(L1, parsed);
    if (!parsed.truncated) return 1;
    pushText(L1, 'truncated');
    return 2;
  };

  const get_method: LuaCFunction = (L1) => {
    pushText(L1, requireScope(engine, L1).exchange.upstream.method);
    return 1;
  };

  const get_body_data: LuaCFunction = (L1) => {
    const body = currentBody(requireScope(engine, L1).exchange);
    if (!body || body.length === 0) { lua.lua_pushnil(L1); return 1; }
    const max = lua.lua_isnoneornil(L1, 1) ? body.length : Math.max(0, Math.trunc(lauxlib.luaL_checknumber(L1, 1)));
    pushBytes(L1, max > 0 && max < body.length ? body.subarray(0, max) : body);
    return 1;
  };

  const read_body: LuaCFunction = (L1) => {
    const ex = requireScope(engine, L1).exchange;
    if (currentBody(ex) !== undefined) return 0;
    const reading = ex.request.readBody().then((body) => {
      bodiesRead.set(ex, body);
      return (): number => 0;
    });
    return engine.suspend(L1, reading);
  };

  const http_version: LuaCFunction = (L1) => {
    lua.lua_pushnumber(L1, requireScope(engine, L1).exchange.request.httpVersion);
    return 1;
  };

  const start_time: LuaCFunction = (L1) => {
    lua.lua_pushnumber(L1, requireScope(engine, L1).exchange.request.startTime / 1000);
    return 1;
  };

  const is_internal: LuaCFunction = (L1) => {
    lua.lua_pushboolean(L1, false);
    return 1;
  };

  setFunctions(L, { get_headers, get_uri_args, get_method, get_body_data, read_body, http_version, start_time, is_internal });
}
