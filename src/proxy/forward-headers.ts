// Header fields sent upstream and returned to the client, as Kong's nginx template sets them.
import type { HeaderMap } from '../pdk/exchange';
import { FieldNameSet, OrderedHeaderMap, fieldNameIs } from './header-map';
import type { GatewayHeaderFlags } from './response-headers';
import { VIA_TOKEN } from './response-headers';

/** Connection-specific fields never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect',
]);

/** Fields the gateway sets itself on the upstream request. */
const GATEWAY_SET = [
  'host', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-path', 'x-forwarded-prefix', 'x-kong-request-id', 'via',
];

/** Client fields not copied as they are to the upstream request. */
const NOT_COPIED = new FieldNameSet([...HOP_BY_HOP, ...GATEWAY_SET]);
const HOP_BY_HOP_NAMES = new FieldNameSet(HOP_BY_HOP);

/** Names listed in Connection values beyond the standard hop-by-hop ones (they are dropped too). */
function connectionListed(values: readonly string[]): Set<string> | null {
  let names: Set<string> | null = null;
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && !HOP_BY_HOP.has(name)) (names ??= new Set()).add(name);
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

/** The upstream request's fields: the (possibly plugin-edited) client fields plus Kong's proxy fields. */
export function upstreamRequestHeaders(headers: HeaderMap, ctx: ForwardContext): string[] {
  const out: string[] = [];
  let forwardedFor: string | null = null;
  let via: string | null = null;
  let connection: string[] | null = null;
  for (const fields of flatLists(headers)) {
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i];
      const key = NOT_COPIED.find(name);
      if (key !== null) {
        const value = fields[i + 1];
        if (key === 'x-forwarded-for') forwardedFor = forwardedFor === null ? value : `${forwardedFor}, ${value}`;
        else if (key === 'via') via = via === null ? value : `${via}, ${value}`;
        else if (key === 'connection') (connection ??= []).push(value);
        continue;
      }
      if (ctx.dropContentLength && fieldNameIs(name, 'content-length')) continue;
      out.push(name, fields[i + 1]);
    }
  }
  const listed = connection === null ? null : connectionListed(connection);
  const kept = listed === null ? out : dropListed(out, listed);
  kept.push(
    'Host', ctx.hostHeader,
    'X-Real-IP', ctx.remoteAddress,
    'X-Forwarded-For', forwardedFor === null ? ctx.remoteAddress : `${forwardedFor}, ${ctx.remoteAddress}`,
    'X-Forwarded-Proto', ctx.scheme,
    'X-Forwarded-Host', ctx.requestHost,
    'X-Forwarded-Port', String(ctx.serverPort),
    'X-Forwarded-Path', ctx.requestPath,
  );
  if (ctx.flags.via) kept.push('Via', via === null ? VIA_TOKEN : `${via}, ${VIA_TOKEN}`);
  else if (via !== null) kept.push('Via', via);
  kept.push('X-Kong-Request-Id', ctx.requestId);
  return kept;
}

function flatLists(headers: HeaderMap): ReadonlyArray<readonly string[]> {
  if (headers instanceof OrderedHeaderMap) return headers.flatLists();
  const out: string[] = [];
  for (const [name, value] of headers.entries()) out.push(name, value);
  return [out];
}

function dropListed(fields: readonly string[], listed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (!listed.has(fields[i].toLowerCase())) out.push(fields[i], fields[i + 1]);
  }
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
export function clientResponseHeaders(rawUpstream: ReadonlyArray<Buffer | string>, pluginSet: HeaderMap | null,
  ctx: ResponseHeaderContext): string[] {
  const out: string[] = [];
  let via: string | null = null;
  const overridden = pluginSet !== null && pluginSet.size > 0 ? new Set(pluginSet.names().map((n) => n.toLowerCase())) : null;
  for (let i = 0; i + 1 < rawUpstream.length; i += 2) {
    const name = latin1(rawUpstream[i]);
    if (HOP_BY_HOP_NAMES.find(name) !== null || (overridden !== null && overridden.has(name.toLowerCase()))) continue;
    if (ctx.flags.via && fieldNameIs(name, 'via')) {
      via = via === null ? latin1(rawUpstream[i + 1]) : `${via}, ${latin1(rawUpstream[i + 1])}`;
      continue;
    }
    out.push(name, latin1(rawUpstream[i + 1]));
  }
  if (overridden) {
    for (const [name, value] of (pluginSet as HeaderMap).entries()) {
      if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, value);
    }
  }
  if (ctx.flags.via) out.push('Via', via === null ? VIA_TOKEN : `${via}, ${VIA_TOKEN}`);
  if (ctx.flags.upstreamLatency) out.push('X-Kong-Upstream-Latency', String(ctx.upstreamLatencyMs));
  if (ctx.flags.proxyLatency) out.push('X-Kong-Proxy-Latency', String(ctx.proxyLatencyMs));
  if (ctx.flags.upstreamStatus) out.push('X-Kong-Upstream-Status', String(ctx.upstreamStatus));
  if (ctx.flags.requestId) out.push('X-Kong-Request-Id', ctx.requestId);
  if (ctx.workerHeader) out.push('X-Luagate-Worker', ctx.workerHeader);
  return out;
}

/** Header bytes as node's http writer sends them back (latin1 round-trips every byte). */
function latin1(item: Buffer | string): string {
  return typeof item === 'string' ? item : item.toString('latin1');
}
