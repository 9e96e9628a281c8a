// kong.client.*: the downstream peer, the authenticated consumer and the protocol of the route.
// luagate has no realip/trusted_ips handling yet, so the forwarded address is the peer address
// (Kong's behaviour with the default trusted_ips = none).
import { lua } from '../../lua/fengari';
import type { LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { pushValue } from '../../lua/marshal';
import { pushText, raise, requireScope } from '../ngx/lua-util';
import type { Exchange } from '../exchange';

function routeProtocols(ex: Exchange): string[] | null {
  const protocols = ex.route?.route.protocols;
  return Array.isArray(protocols) ? protocols.filter((p): p is string => typeof p === 'string') : null;
}

/** kong.client.get_protocol: the route's only protocol, else the connection's scheme (grpc(s) for gRPC routes). */
export function clientProtocol(ex: Exchange, allowTerminated: boolean): string | null {
  if (ex.route === null) return null;
  const protocols = routeProtocols(ex) ?? [];
  if (protocols.length === 1) return protocols[0];
  const scheme = ex.request.scheme;
  if (protocols.includes('grpc') || protocols.includes('grpcs')) return scheme === 'https' ? 'grpcs' : 'grpc';
  if (allowTerminated && ex.request.headers.get('x-forwarded-proto')?.toLowerCase() === 'https') return 'https';
  return scheme;
}

export function clientFunctions(engine: LuaEngine): Record<string, LuaCFunction> {
  const exchangeOf = (L: Parameters<LuaCFunction>[0]): Exchange => requireScope(engine, L).exchange;
  const address: LuaCFunction = (L) => { pushText(L, exchangeOf(L).request.remoteAddress); return 1; };
  const port: LuaCFunction = (L) => { lua.lua_pushnumber(L, exchangeOf(L).request.remotePort); return 1; };
  return {
    get_ip: address,
    get_forwarded_ip: address,
    get_port: port,
    get_forwarded_port: port,
    get_consumer: (L) => { pushValue(L, exchangeOf(L).consumer); return 1; },
    get_credential: (L) => { exchangeOf(L); lua.lua_pushnil(L); return 1; },
    get_protocol: (L) => {
      if (!lua.lua_isnoneornil(L, 1) && lua.lua_type(L, 1) !== lua.LUA_TBOOLEAN) return raise(L, 'allow_terminated must be a boolean');
      const protocol = clientProtocol(exchangeOf(L), lua.lua_toboolean(L, 1));
      if (protocol !== null) { pushText(L, protocol); return 1; }
      lua.lua_pushnil(L);
      pushText(L, 'No active route found');
      return 2;
    },
  };
}
