/**
 * The proxy half of the hand-written baseline: what any correct reverse proxy must do per request,
 * and nothing more. Hop-by-hop headers are dropped, Host is the upstream's (Kong's default
 * preserve_host=false), X-Forwarded-* / X-Real-IP are set as Kong sets them, the request body is
 * streamed to the upstream and the response streamed back with undici `stream`.
 */
import type * as http from 'node:http';
import type { Dispatcher, Pool } from 'undici';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host',
]);

export type HeaderEdits = ReadonlyArray<readonly [name: string, value: string]>;

export interface ProxyTarget {
  readonly pool: Pool;
  /** host:port sent as Host to the upstream. */
  readonly hostHeader: string;
  /** Service path the route prefix is replaced with (Kong strip_path=true). */
  readonly servicePath: string;
  readonly routePrefix: string;
}

function forwardedHeaders(req: http.IncomingMessage, target: ProxyTarget, path: string): Record<string, string | string[]> {
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
  out['x-forwarded-host'] = incoming.host ?? '';
  out['x-forwarded-port'] = String(req.socket.localPort ?? '');
  out['x-forwarded-path'] = path;
  return out;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
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

export function proxy(req: http.IncomingMessage, res: http.ServerResponse, target: ProxyTarget, path: string, edits: HeaderEdits): void {
  const headers = forwardedHeaders(req, target, req.url ?? '/');
  for (const [name, value] of edits) headers[name] = value;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const options: Dispatcher.RequestOptions = {
    path,
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers,
    body: hasBody ? req : null,
  };
  target.pool.stream(options, ({ statusCode, headers: upstreamHeaders }) => {
    res.writeHead(statusCode, responseHeaders(upstreamHeaders));
    return res;
  }, (err) => {
    if (err) sendJson(res, 502, 'An invalid response was received from the upstream server');
  });
}
