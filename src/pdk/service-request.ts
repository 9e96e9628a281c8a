// kong.service.request: edits the request that will be sent upstream (exchange.upstream).
import { lua } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import type { LuaEngine } from '../lua/engine';
import { pushString } from '../lua/marshal';
import { materialize } from '../lua/lazy';
import type { UpstreamRequest } from './exchange';
import { encodeArg, unescapeArg } from './args';
import type { ArgValue } from './args';
import { CONTENT_TYPE_FORM, CONTENT_TYPE_JSON, CONTENT_TYPE_MULTIPART } from './body';
import { checkHeaderName, headersTableArg, headerValuesArg } from './header-values';
import { encodeJsonBytes } from './json';
import { bytesArg, luaToString, luaType, quoteLua, raise, scopeOf, stringArg } from './lua-util';

const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND',
  'PROPPATCH', 'LOCK', 'UNLOCK', 'PATCH', 'TRACE']);
const encoder = new TextEncoder();

/** Reads a Lua args table and renders it as Kong's make_ordered_args: entries sorted as text. */
export function orderedArgsFromTable(L: LuaState, idx: number): string {
  const t = lua.lua_absindex(L, idx);
  materialize(L, t);
  const pieces: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t)) {
    if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) return raise(L, 'arg keys must be strings');
    const key = stringArg(L, -2)!;
    const piece = encodeArg(key, argValue(L, lua.lua_gettop(L)));
    pieces.push(piece);
    lua.lua_pop(L, 1);
  }
  return pieces.sort().join('&');
}

function argValue(L: LuaState, idx: number): ArgValue | false | Array<ArgValue | false> {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING: return stringArg(L, idx)!;
    case lua.LUA_TNUMBER: return luaToString(L, idx);
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx) ? true : false;
    case lua.LUA_TTABLE: {
      materialize(L, idx);
      const out: Array<ArgValue | false> = [];
      const n = lua.lua_rawlen(L, idx);
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, idx, i);
        const v = argValue(L, lua.lua_gettop(L));
        lua.lua_pop(L, 1);
        if (Array.isArray(v)) return raise(L, 'attempt to use table as query arg value');
        out.push(v);
      }
      return out;
    }
    default: return raise(L, `attempt to use ${luaType(L, idx)} as query arg value`);
  }
}

/** Removes every occurrence of `name` from a raw query, keeping the other arguments as they were. */
export function removeQueryArg(rawQuery: string, name: string): string {
  if (rawQuery === '') return rawQuery;
  const kept = rawQuery.split('&').filter((segment) => {
    const eq = segment.indexOf('=');
    return unescapeArg(eq < 0 ? segment : segment.slice(0, eq)) !== name;
  });
  return kept.join('&').replace(/\+/g, '%20');
}

/** Escapes a path for the wire: bytes outside RFC 3986 pchar and `/` become %XX (escapes kept). */
export function escapePath(path: string): string {
  let out = '';
  for (const c of encoder.encode(path)) {
    const ch = String.fromCharCode(c);
    out += /[A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.test(ch) ? ch : '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function multipartBody(L: LuaState, t: number, mime: string): { body: Uint8Array; contentType: string } {
  const fields: Array<[string, string]> = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t)) {
    const keyIdx = lua.lua_gettop(L) - 1;
    if (lua.lua_type(L, keyIdx) !== lua.LUA_TSTRING) {
      return raise(L, `invalid key ${quoteLua(L, keyIdx)}: got ${luaType(L, keyIdx)}, expected string`);
    }
    const type = lua.lua_type(L, -1);
    if (type !== lua.LUA_TSTRING && type !== lua.LUA_TNUMBER && type !== lua.LUA_TBOOLEAN) {
      return raise(L, `invalid value ${quoteLua(L, keyIdx)}: got ${luaType(L, -1)}, expected string, number or boolean`);
    }
    fields.push([stringArg(L, keyIdx)!, luaToString(L, -1)]);
    lua.lua_pop(L, 1);
  }
  const given = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(mime);
  let boundary = given ? (given[1] ?? given[2]) : String(Math.floor(Math.random() * 1e10));
  while (fields.some(([, v]) => v.includes(`\n--${boundary}`))) boundary = String(Math.floor(Math.random() * 1e10));
  fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let text = '';
  for (const [k, v] of fields) text += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  text += `--${boundary}--\r\n`;
  return { body: encoder.encode(text), contentType: `${CONTENT_TYPE_MULTIPART}; boundary=${boundary}` };
}

function setHostIfHost(u: UpstreamRequest, name: string, values: readonly string[]): void {
  if (name.toLowerCase() === 'host') u.hostHeader = values[values.length - 1];
}

/** kong.service.request.set_header's effect once its arguments are checked (also used by direct snippets). */
export function setUpstreamHeader(u: UpstreamRequest, name: string, values: readonly string[]): void {
  setHostIfHost(u, name, values);
  u.headers.set(name, values);
}

export function buildServiceRequestFunctions(engine: LuaEngine): Record<string, LuaCFunction> {
  const up = (L: LuaState): UpstreamRequest => scopeOf(engine, L).exchange.upstream;

  return {
    enable_buffering: () => 0,
    set_scheme: (L) => {
      const scheme = stringArg(L, 1);
      if (scheme === null) return raise(L, 'scheme must be a string');
      if (scheme !== 'http' && scheme !== 'https') return raise(L, `invalid scheme: ${scheme}`);
      up(L).scheme = scheme;
      return 0;
    },
    set_path: (L) => {
      const path = stringArg(L, 1);
      if (path === null) return raise(L, 'path must be a string');
      if (!path.startsWith('/')) return raise(L, 'path must start with /');
      up(L).path = escapePath(path);
      return 0;
    },
    set_raw_query: (L) => {
      const query = stringArg(L, 1);
      if (query === null) return raise(L, 'query must be a string');
      up(L).rawQuery = query;
      return 0;
    },
    set_method: (L) => {
      const method = stringArg(L, 1);
      if (method === null) return raise(L, 'method must be a string');
      if (!METHODS.has(method)) return raise(L, `invalid method: ${method}`);
      up(L).method = method;
      return 0;
    },
    set_query: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return raise(L, 'args must be a table');
      up(L).rawQuery = orderedArgsFromTable(L, 1);
      return 0;
    },
    clear_query_arg: (L) => {
      const name = stringArg(L, 1);
      if (name === null) return raise(L, 'query argument name must be a string');
      const u = up(L);
      u.rawQuery = removeQueryArg(u.rawQuery, name);
      return 0;
    },
    set_header: (L) => {
      const name = checkHeaderName(L, 1);
      const values = headerValuesArg(L, 2, 1);
      setUpstreamHeader(up(L), name, values);
      return 0;
    },
    add_header: (L) => {
      const name = checkHeaderName(L, 1);
      const values = headerValuesArg(L, 2, 1);
      const u = up(L);
      setHostIfHost(u, name, values);
      for (const v of values) u.headers.add(name, v);
      return 0;
    },
    clear_header: (L) => {
      const name = stringArg(L, 1);
      if (name === null) return raise(L, 'header must be a string');
      up(L).headers.delete(name);
      return 0;
    },
    set_headers: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return raise(L, 'headers must be a table');
      const u = up(L);
      for (const [name, values] of headersTableArg(L, 1)) {
        setHostIfHost(u, name, values);
        u.headers.set(name, values);
      }
      return 0;
    },
    set_raw_body: (L) => {
      const body = bytesArg(L, 1);
      if (body === null) return raise(L, 'body must be a string');
      up(L).body = body;
      return 0;
    },
    set_body: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return raise(L, 'args must be a table');
      if (!lua.lua_isnoneornil(L, 2) && lua.lua_type(L, 2) !== lua.LUA_TSTRING) return raise(L, 'mime must be a string');
      const u = up(L);
      const mime = stringArg(L, 2) ?? u.headers.get('content-type') ?? null;
      if (mime === null) {
        lua.lua_pushnil(L);
        pushString(L, 'content type was neither explicitly given as an argument or received as a header');
        return 2;
      }
      const semi = mime.indexOf(';');
      const bare = semi < 0 ? mime : mime.slice(0, semi);
      let body: Uint8Array;
      let contentType = mime;
      if (bare === CONTENT_TYPE_FORM) body = encoder.encode(orderedArgsFromTable(L, 1));
      else if (bare === CONTENT_TYPE_JSON) body = encodeJsonBytes(L, 1);
      else if (bare === CONTENT_TYPE_MULTIPART) {
        materialize(L, 1);
        ({ body, contentType } = multipartBody(L, 1, mime));
      } else return raise(L, `unsupported content type ${mime}`);
      u.body = body;
      u.headers.set('Content-Type', contentType);
      lua.lua_pushboolean(L, true);
      return 1;
    },
  };
}
