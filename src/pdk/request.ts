// kong.request: the client request, read-only. Argument checks and messages as Kong's PDK.
import { lua } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import type { LuaEngine } from '../lua/engine';
import { pushString } from '../lua/marshal';
import { pushLazyJson } from '../lua/lazy';
import type { PdkScope } from './scope';
import type { ClientRequest } from './exchange';
import { parseArgs } from './args';
import type { Args } from './args';
import { normalizePath } from './path';
import { decodeBody } from './body';
import { DEFAULT_MAX_HEADERS, firstHeader, headerFields, pushHeadersTable } from './headers-table';
import { isPresent, pushStringArray, pushStringOrNil, raise, scopeOf, stringArg } from './lua-util';

export const DEFAULT_MAX_ARGS = 100;
const MAX_ARGS_LIMIT = 1000;
const QUERY_CACHE = Symbol('kong.request.query');

export interface RequestOptions {
  /** trusted_ips: whether X-Forwarded-* headers from this peer are honoured. */
  readonly isTrustedIp: (ip: string) => boolean;
}

/** Pushes an args table: strings, `true` for bare keys, arrays for repeats. */
export function pushArgsTable(L: LuaState, args: Args): void {
  lua.lua_createtable(L, 0, args.size);
  for (const [key, value] of args) {
    pushString(L, key);
    if (Array.isArray(value)) {
      lua.lua_createtable(L, value.length, 0);
      value.forEach((v, i) => {
        if (v === true) lua.lua_pushboolean(L, true);
        else pushString(L, v);
        lua.lua_rawseti(L, -2, i + 1);
      });
    } else if (value === true) lua.lua_pushboolean(L, true);
    else pushString(L, value as string);
    lua.lua_rawset(L, -3);
  }
}

/** The client query parsed once per request with the default limit (shared with templates). */
export function clientQuery(scope: PdkScope): Args {
  const ctx = scope.exchange.ctx;
  let args = ctx.get(QUERY_CACHE) as Args | undefined;
  if (!args) {
    args = parseArgs(scope.exchange.request.rawQuery, DEFAULT_MAX_ARGS);
    ctx.set(QUERY_CACHE, args);
  }
  return args;
}

/** Checks an optional max argument as Kong does (`<what> must be a number`, `>= 1`, `<= 1000`). */
export function checkMax(L: LuaState, idx: number, what: string, def: number): number {
  if (!isPresent(L, idx)) return def;
  if (lua.lua_type(L, idx) !== lua.LUA_TNUMBER) return raise(L, `${what} must be a number`);
  const n = lua.lua_tonumber(L, idx);
  if (n < 1) return raise(L, `${what} must be >= 1`);
  if (n > MAX_ARGS_LIMIT) return raise(L, `${what} must be <= ${MAX_ARGS_LIMIT}`);
  return Math.floor(n);
}

/**
 * Runs `push` with the client body: at once when it is buffered, else after reading it (the
 * snippet waits). A template cannot wait, so it gets an error instead.
 */
function withBody(engine: LuaEngine, L: LuaState, scope: PdkScope, push: (L: LuaState, body: Uint8Array) => number): number {
  const request = scope.exchange.request;
  if (request.bufferedBody !== undefined) return push(L, request.bufferedBody);
  if (scope.noWait) return raise(L, 'the request body is not available here (it has not been read yet)');
  return engine.suspend(L, request.readBody().then((body) => (L2: LuaState) => push(L2, body)));
}

function forwardedHeader(request: ClientRequest, options: RequestOptions, name: string): string | undefined {
  if (!options.isTrustedIp(request.remoteAddress)) return undefined;
  const value = request.headers.get(name);
  return value === undefined ? undefined : value.split(',')[0].trim();
}

function splitHostPort(hostPort: string): [string, number | null] {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostPort);
  if (!m) return [hostPort, null];
  return [m[1], m[2] !== undefined ? Number(m[2]) : null];
}

export function buildRequestFunctions(engine: LuaEngine, options: RequestOptions): Record<string, LuaCFunction> {
  const req = (L: LuaState): ClientRequest => scopeOf(engine, L).exchange.request;
  const str = (get: (r: ClientRequest) => string): LuaCFunction => (L) => { pushString(L, get(req(L))); return 1; };
  const num = (get: (r: ClientRequest) => number): LuaCFunction => (L) => { lua.lua_pushnumber(L, get(req(L))); return 1; };

  return {
    get_scheme: str((r) => r.scheme),
    get_host: str((r) => r.host),
    get_port: num((r) => r.port),
    get_forwarded_scheme: str((r) => forwardedHeader(r, options, 'x-forwarded-proto')?.toLowerCase() ?? r.scheme),
    get_forwarded_host: str((r) => {
      const host = forwardedHeader(r, options, 'x-forwarded-host');
      return host === undefined ? r.host : splitHostPort(host)[0].toLowerCase();
    }),
    get_forwarded_port: num((r) => {
      const port = Number(forwardedHeader(r, options, 'x-forwarded-port'));
      if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
      const host = forwardedHeader(r, options, 'x-forwarded-host');
      const hostPort = host === undefined ? null : splitHostPort(host)[1];
      return hostPort ?? r.port;
    }),
    get_forwarded_path: str((r) => forwardedHeader(r, options, 'x-forwarded-path') ?? r.rawPath),
    get_forwarded_prefix: (L) => { pushStringOrNil(L, forwardedHeader(req(L), options, 'x-forwarded-prefix')); return 1; },
    get_http_version: num((r) => r.httpVersion),
    get_method: str((r) => r.method),
    get_path: str((r) => normalizePath(r.rawPath)),
    get_raw_path: str((r) => r.rawPath),
    get_path_with_query: str((r) => (r.rawQuery === '' ? r.rawPath : `${r.rawPath}?${r.rawQuery}`)),
    get_raw_query: str((r) => r.rawQuery),
    get_query_arg: (L) => {
      const name = stringArg(L, 1);
      if (name === null) return raise(L, 'query argument name must be a string');
      const value = clientQuery(scopeOf(engine, L)).get(name);
      const first = Array.isArray(value) ? value[0] : value;
      if (first === undefined) lua.lua_pushnil(L);
      else if (first === true) lua.lua_pushboolean(L, true);
      else pushString(L, first);
      return 1;
    },
    get_query: (L) => {
      const max = checkMax(L, 1, 'max_args', DEFAULT_MAX_ARGS);
      const scope = scopeOf(engine, L);
      pushArgsTable(L, max === DEFAULT_MAX_ARGS ? clientQuery(scope) : parseArgs(scope.exchange.request.rawQuery, max));
      return 1;
    },
    get_header: (L) => {
      const name = stringArg(L, 1);
      if (name === null) return raise(L, 'header name must be a string');
      pushStringOrNil(L, firstHeader(req(L).headers, name));
      return 1;
    },
    get_headers: (L) => {
      const max = checkMax(L, 1, 'max_headers', DEFAULT_MAX_HEADERS);
      pushHeadersTable(L, headerFields(req(L).headers, max));
      return 1;
    },
    get_raw_body: (L) => withBody(engine, L, scopeOf(engine, L), (L2, body) => {
      lua.lua_pushstring(L2, body);
      return 1;
    }),
    get_body: (L) => {
      if (isPresent(L, 1) && lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, 'mimetype must be a string');
      const mime = stringArg(L, 1);
      const maxArgs = checkMax(L, 2, 'max_args', DEFAULT_MAX_ARGS);
      const scope = scopeOf(engine, L);
      const contentType = mime ?? scope.exchange.request.headers.get('content-type') ?? null;
      return withBody(engine, L, scope, (L2, body) => {
        const decoded = decodeBody(body, contentType, maxArgs);
        if (decoded.kind === 'error') {
          lua.lua_pushnil(L2);
          pushString(L2, decoded.message);
          return 2;
        }
        if (decoded.kind === 'json') pushLazyJson(L2, decoded.value);
        else pushArgsTable(L2, decoded.args);
        lua.lua_pushnil(L2);
        pushString(L2, decoded.mime);
        return 3;
      });
    },
    get_start_time: num((r) => r.startTime),
    get_uri_captures: (L) => {
      const captures = scopeOf(engine, L).exchange.route?.uriCaptures ?? null;
      lua.lua_createtable(L, 0, 2);
      lua.lua_createtable(L, captures ? captures.unnamed.length : 0, 0);
      captures?.unnamed.forEach((v, i) => {
        pushString(L, v);
        lua.lua_rawseti(L, -2, i);
      });
      lua.lua_setfield(L, -2, 'unnamed');
      lua.lua_createtable(L, 0, 0);
      for (const [k, v] of Object.entries(captures?.named ?? {})) {
        pushString(L, v);
        lua.lua_setfield(L, -2, k);
      }
      lua.lua_setfield(L, -2, 'named');
      return 1;
    },
    get_id: str((r) => r.id),
  };
}

export { pushStringArray };
