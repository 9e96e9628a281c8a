// kong.response: the client response. `exit` records a short-circuit answer on the exchange and
// stops the running snippet for good (no code after it runs, pcall cannot catch it).
import { lua } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import type { LuaEngine } from '../lua/engine';
import type { ClientResponse, Exchange } from './exchange';
import { checkHeaderName, headersTableArg, headerValuesArg } from './header-values';
import { DEFAULT_MAX_HEADERS, headerFields, pushHeadersTable } from './headers-table';
import { checkMax } from './request';
import { encodeJsonBytes } from './json';
import { bytesArg, pushStringOrNil, raise, scopeOf, stringArg } from './lua-util';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const encoder = new TextEncoder();

/** Kong's default messages of kong.response.error by status. */
const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
  406: 'Not acceptable', 407: 'Proxy authentication required', 408: 'Request timeout', 409: 'Conflict',
  410: 'Gone', 411: 'Length required', 412: 'Precondition failed', 413: 'Payload too large',
  414: 'URI too long', 415: 'Unsupported media type', 416: 'Range not satisfiable', 417: 'Expectation failed',
  418: "I'm a teapot", 421: 'Misdirected request', 422: 'Unprocessable entity', 423: 'Locked',
  424: 'Failed dependency', 425: 'Too early', 426: 'Upgrade required', 428: 'Precondition required',
  429: 'Too many requests', 431: 'Request header fields too large', 451: 'Unavailable for legal reasons',
  494: 'Request header or cookie too large', 500: 'An unexpected error occurred', 501: 'Not implemented',
  502: 'An invalid response was received from the upstream server', 503: 'The upstream server is currently unavailable',
  504: 'The upstream server is timing out', 505: 'HTTP version not supported', 506: 'Variant also negotiates',
  507: 'Insufficient storage', 508: 'Loop detected', 510: 'Not extended', 511: 'Network authentication required',
};

function checkStatus(L: LuaState, idx: number, min: number, max: number): number {
  if (lua.lua_type(L, idx) !== lua.LUA_TNUMBER) return raise(L, 'code must be a number');
  const status = lua.lua_tonumber(L, idx);
  if (status < min || status > max) return raise(L, `code must be a number between ${min} and ${max}`);
  return status;
}

function headersArg(L: LuaState, idx: number): Array<[string, string[]]> {
  if (lua.lua_isnoneornil(L, idx)) return [];
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) return raise(L, 'headers must be a nil or table');
  return headersTableArg(L, idx);
}

/**
 * Records the exit answer: headers set earlier with kong.response.set_header, then the exit
 * headers (replacing same names), then Content-Type/Content-Length as Kong adds them.
 */
export function recordExit(exchange: Exchange, status: number, body: Uint8Array | null, given: Array<[string, string[]]>, json: boolean): void {
  const merged = new Map<string, [string, string[]]>();
  for (const [name, value] of exchange.response.headers.entries()) {
    const key = name.toLowerCase();
    const existing = merged.get(key);
    if (existing) existing[1].push(value);
    else merged.set(key, [name, [value]]);
  }
  for (const [name, values] of given) {
    if (name.toLowerCase() === 'transfer-encoding') {
      exchange.log.log('warn', 'manually setting Transfer-Encoding. Ignored.');
      continue;
    }
    merged.set(name.toLowerCase(), [name, values]);
  }
  if (json && !merged.has('content-type')) merged.set('content-type', ['Content-Type', [JSON_CONTENT_TYPE]]);
  if (!merged.has('content-length')) merged.set('content-length', ['Content-Length', [String(body ? body.length : 0)]]);
  const headers: Array<[string, string]> = [];
  for (const [name, values] of merged.values()) for (const v of values) headers.push([name, v]);
  exchange.response.exit = { status, body, headers };
  exchange.response.status = status;
}

export function buildResponseFunctions(engine: LuaEngine): Record<string, LuaCFunction> {
  const res = (L: LuaState): ClientResponse => scopeOf(engine, L).exchange.response;

  return {
    exit: (L) => {
      const status = checkStatus(L, 1, 100, 599);
      const bodyType = lua.lua_type(L, 2);
      if (bodyType !== lua.LUA_TNIL && bodyType !== lua.LUA_TNONE && bodyType !== lua.LUA_TSTRING && bodyType !== lua.LUA_TTABLE) {
        return raise(L, 'body must be a nil, string or table');
      }
      const headers = headersArg(L, 3);
      const exchange = scopeOf(engine, L).exchange;
      let body: Uint8Array | null = null;
      if (bodyType === lua.LUA_TSTRING) body = bytesArg(L, 2);
      else if (bodyType === lua.LUA_TTABLE) body = encodeJsonBytes(L, 2, 'body encoding failed while flushing response: ');
      recordExit(exchange, status, body, headers, bodyType === lua.LUA_TTABLE);
      return engine.stop(L);
    },
    error: (L) => {
      const status = checkStatus(L, 1, 400, 599);
      if (!lua.lua_isnoneornil(L, 2) && lua.lua_type(L, 2) !== lua.LUA_TSTRING) return raise(L, 'message must be a nil or a string');
      const headers = headersArg(L, 3);
      const exchange = scopeOf(engine, L).exchange;
      const message = stringArg(L, 2) ?? ERROR_MESSAGES[status] ?? 'An unexpected error occurred';
      const text = `{\n  "message":${JSON.stringify(message)},\n  "request_id":${JSON.stringify(exchange.request.id)}\n}`;
      recordExit(exchange, status, encoder.encode(text), headers, true);
      return engine.stop(L);
    },
    get_status: (L) => {
      lua.lua_pushnumber(L, res(L).status ?? 200);
      return 1;
    },
    set_status: (L) => {
      const status = checkStatus(L, 1, 100, 599);
      res(L).status = status;
      return 0;
    },
    get_header: (L) => {
      const name = stringArg(L, 1);
      if (name === null) return raise(L, 'header name must be a string');
      pushStringOrNil(L, res(L).headers.get(name));
      return 1;
    },
    get_headers: (L) => {
      const max = checkMax(L, 1, 'max_headers', DEFAULT_MAX_HEADERS);
      pushHeadersTable(L, headerFields(res(L).headers, max));
      return 1;
    },
    set_header: (L) => {
      const name = checkHeaderName(L, 1);
      res(L).headers.set(name, headerValuesArg(L, 2, 1));
      return 0;
    },
    add_header: (L) => {
      const name = checkHeaderName(L, 1);
      const values = headerValuesArg(L, 2, 1);
      const headers = res(L).headers;
      for (const v of values) headers.add(name, v);
      return 0;
    },
    clear_header: (L) => {
      const name = stringArg(L, 1);
      if (name === null) return raise(L, 'header name must be a string');
      res(L).headers.delete(name);
      return 0;
    },
    set_headers: (L) => {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) return raise(L, 'headers must be a table');
      const headers = res(L).headers;
      for (const [name, values] of headersTableArg(L, 1)) headers.set(name, values);
      return 0;
    },
  };
}
