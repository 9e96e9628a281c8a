/**
 * The proxy half of the hand-written baseline: what any correct reverse proxy must do per request,
 * and nothing more. Hop-by-hop headers are dropped, Host is the upstream's (Kong's default
 * preserve_host=false), X-Forwarded-* / X-Real-IP are set as Kong sets them, the request body is
 * streamed to the upstream and the response streamed back with undici `stream`. The header fields
 * Kong adds by default (its `headers` setting: Via, X-Kong-Request-Id, the latency fields) are
 * added too, so the baseline and luagate put the same fields on the wire.
 */
import { randomFillSync } from 'node:crypto';
import type * as http from 'node:http';
import type { Dispatcher, Pool } from 'undici';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host',
]);

const VIA = '1.1 kong/3.12.0.0';

// 16 random bytes per request id, hex encoded; the bytes are drawn a few thousand ids at a time.
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 1024);
let idOffset = idPool.length;

function requestId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return idPool.toString('hex', idOffset - ID_BYTES, idOffset);
}

export type HeaderEdits = ReadonlyArray<readonly [name: string, value: string]>;

export interface ProxyTarget {
  readonly pool: Pool;
  /** host:port sent as Host to the upstream. */
  readonly hostHeader: string;
  /** Service path the route prefix is replaced with (Kong strip_path=true). */
  readonly servicePath: string;
  readonly routePrefix: string;
}

/** Kong's X-Forwarded-Host is nginx's $host: the Host field without its port. */
function hostWithoutPort(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon < 0 || host.endsWith(']') ? host : host.slice(0, colon);
}

function forwardedHeaders(req: http.IncomingMessage, target: ProxyTarget, path: string, id: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const incoming = req.headers;
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  const remote = req.socket.remoteAddress ?? '';
  const priorFor = incoming['x-forwarded-for'];
  out['host'] = target.hostHeader;
  out['x-real-ip'] = remote;
  out['x-forwarded-for'] = typeof priorFor === 'string' ? `${priorFor}, ${remote}` : remote;
  out['x-forwarded-proto'] = 'http';
  out['x-forwarded-host'] = hostWithoutPort(incoming.host ?? '');
  out['x-forwarded-port'] = String(req.socket.localPort ?? '');
  out['x-forwarded-path'] = path;
  out['via'] = VIA;
  out['x-kong-request-id'] = id;
  return out;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>, id: string, upstreamMs: number,
  proxyMs: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  out['via'] = VIA;
  out['x-kong-upstream-latency'] = String(upstreamMs);
  out['x-kong-proxy-latency'] = String(proxyMs);
  out['x-kong-request-id'] = id;
  return out;
}

export function sendJson(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Returns the upstream path for a request that matched the route, or null when it does not match. */
export function upstreamPath(url: string, target: ProxyTarget): string | null {
  if (!url.startsWith(target.routePrefix)) return null;
  const rest = url.slice(target.routePrefix.length);
  if (rest !== '' && rest[0] !== '/' && rest[0] !== '?') return null;
  return target.servicePath + rest;
}

/** `startedAt`: Date.now() when the request arrived (for X-Kong-Proxy-Latency). */
export function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: ProxyTarget, path: string, edits: HeaderEdits,
  startedAt: number): void {
  const id = requestId();
  const headers = forwardedHeaders(req, target, req.url ?? '/', id);
  for (const [name, value] of edits) headers[name] = value;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const options: Dispatcher.RequestOptions = {
    path,
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers,
    body: hasBody ? req : null,
  };
  const sentAt = Date.now();
  target.pool.stream(options, ({ statusCode, headers: upstreamHeaders }) => {
    res.writeHead(statusCode, responseHeaders(upstreamHeaders, id, Date.now() - sentAt, sentAt - startedAt));
    return res;
  }, (err) => {
    if (err) sendJson(res, 502, 'An invalid response was received from the upstream server');
  });
}
