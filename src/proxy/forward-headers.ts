// Header fields sent upstream and returned to the client, as Kong's nginx template sets them.
import type { HeaderMap } from '../pdk/exchange';
import type { GatewayHeaderFlags } from './response-headers';
import { VIA_TOKEN } from './response-headers';

/** Connection-specific fields never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect',
]);

/** Fields the gateway sets itself on the upstream request. */
const GATEWAY_SET = new Set([
  'host', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-path', 'x-forwarded-prefix', 'x-kong-request-id', 'via',
]);

function connectionListed(headers: HeaderMap): Set<string> | null {
  const connection = headers.getAll('connection');
  if (connection.length === 0) return null;
  const names = new Set<string>();
  for (const value of connection) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

export interface ForwardContext {
  readonly requestId: string;
  readonly hostHeader: string;
  readonly remoteAddress: string;
  readonly scheme: string;
  readonly requestHost: string;      // client host, lower case, no port
  readonly serverPort: number;
  readonly requestPath: string;      // raw path as received
  /** true when the body is replaced or dropped: the client's Content-Length no longer applies. */
  readonly dropContentLength: boolean;
  readonly flags: GatewayHeaderFlags;
}

export function upstreamRequestHeaders(headers: HeaderMap, ctx: ForwardContext): string[] {
  const listed = connectionListed(headers);
  const out: string[] = [];
  for (const [name, value] of headers.entries()) {
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key) || GATEWAY_SET.has(key) || listed?.has(key)) continue;
    if (ctx.dropContentLength && key === 'content-length') continue;
    out.push(name, value);
  }
  out.push('Host', ctx.hostHeader);
  out.push('X-Real-IP', ctx.remoteAddress);
  const forwardedFor = headers.getAll('x-forwarded-for');
  out.push('X-Forwarded-For', forwardedFor.length > 0 ? `${forwardedFor.join(', ')}, ${ctx.remoteAddress}` : ctx.remoteAddress);
  out.push('X-Forwarded-Proto', ctx.scheme);
  out.push('X-Forwarded-Host', ctx.requestHost);
  out.push('X-Forwarded-Port', String(ctx.serverPort));
  out.push('X-Forwarded-Path', ctx.requestPath);
  if (ctx.flags.via) {
    const via = headers.getAll('via');
    out.push('Via', via.length > 0 ? `${via.join(', ')}, ${VIA_TOKEN}` : VIA_TOKEN);
  } else {
    for (const value of headers.getAll('via')) out.push('Via', value);
  }
  out.push('X-Kong-Request-Id', ctx.requestId);
  return out;
}

export interface ResponseHeaderContext {
  readonly requestId: string;
  readonly flags: GatewayHeaderFlags;
  readonly upstreamLatencyMs: number;
  readonly proxyLatencyMs: number;
  readonly upstreamStatus: number;
  readonly workerHeader: string | null;
}

/** Upstream response fields (hop-by-hop removed) with plugin-set fields replacing same-named ones. */
export function clientResponseHeaders(rawUpstream: readonly string[], pluginSet: HeaderMap,
  ctx: ResponseHeaderContext): string[] {
  const out: string[] = [];
  const viaValues: string[] = [];
  const overridden = pluginSet.size > 0 ? new Set(pluginSet.names().map((n) => n.toLowerCase())) : null;
  for (let i = 0; i + 1 < rawUpstream.length; i += 2) {
    const name = rawUpstream[i];
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key) || overridden?.has(key)) continue;
    if (key === 'via' && ctx.flags.via) {
      viaValues.push(rawUpstream[i + 1]);
      continue;
    }
    out.push(name, rawUpstream[i + 1]);
  }
  if (overridden) {
    for (const [name, value] of pluginSet.entries()) {
      if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, value);
    }
  }
  if (ctx.flags.via) out.push('Via', viaValues.length > 0 ? `${viaValues.join(', ')}, ${VIA_TOKEN}` : VIA_TOKEN);
  if (ctx.flags.upstreamLatency) out.push('X-Kong-Upstream-Latency', String(ctx.upstreamLatencyMs));
  if (ctx.flags.proxyLatency) out.push('X-Kong-Proxy-Latency', String(ctx.proxyLatencyMs));
  if (ctx.flags.upstreamStatus) out.push('X-Kong-Upstream-Status', String(ctx.upstreamStatus));
  if (ctx.flags.requestId) out.push('X-Kong-Request-Id', ctx.requestId);
  if (ctx.workerHeader) out.push('X-Luagate-Worker', ctx.workerHeader);
  return out;
}
