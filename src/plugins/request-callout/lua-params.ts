// Reads params back from the Lua table after request.by_lua: by_lua may change any field.
import type { CalloutProxyConfig, CalloutTimeouts } from './config';
import type { LuaParams } from './lua-context';
import type { CalloutParams, HeaderTable } from './params';
import type { QueryTable } from './query';

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function asQuery(value: unknown): QueryTable | string | null {
  if (typeof value === 'string') return value;
  if (isTable(value)) return value as QueryTable;
  return null;
}

function asHeaders(value: unknown): HeaderTable {
  return isTable(value) ? value as HeaderTable : Object.create(null) as HeaderTable;
}

function asTimeouts(value: unknown): CalloutTimeouts | null {
  if (!isTable(value)) return null;
  const n = (v: unknown): number => (typeof v === 'number' && v >= 0 ? v : 60_000);
  return { connect: n(value.connect), write: n(value.write), read: n(value.read) };
}

function asProxy(value: unknown): CalloutProxyConfig | null {
  if (!isTable(value)) return null;
  const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return { auth_username: s(value.auth_username), auth_password: s(value.auth_password),
    http_proxy: s(value.http_proxy), https_proxy: s(value.https_proxy) };
}

export function paramsFromLua(lua: LuaParams, previous: CalloutParams): CalloutParams {
  if (!lua.found) return previous;
  return {
    url: typeof lua.url === 'string' ? lua.url : typeof lua.url === 'number' ? String(lua.url) : '',
    method: typeof lua.method === 'string' && lua.method !== '' ? lua.method : 'GET',
    query: asQuery(lua.query),
    headers: asHeaders(lua.headers),
    body: lua.body,
    decode: lua.decode === true,
    ssl_verify: lua.ssl_verify === true,
    ssl_server_name: typeof lua.ssl_server_name === 'string' ? lua.ssl_server_name : null,
    proxy: asProxy(lua.proxy),
    timeouts: asTimeouts(lua.timeouts),
  };
}
