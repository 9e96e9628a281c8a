// One request through the gateway: route, access phase of the route's plugins, upstream call,
// response streamed back; Kong's error responses on the way; one access-log line at the end.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { ServiceEntity } from '../config/types';
import {
  BAD_UPSTREAM, NO_ROUTE, NO_SERVICE, PluginFailureError, UNEXPECTED, UPSTREAM_TIMEOUT,
  UpstreamTimeoutError, type GatewayErrorResponse,
} from './errors';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers';
import { sendExit, sendGatewayError, type GeneratedResponseContext } from './kong-response';
import type { GatewayLogger } from './log';
import type { ProxyPlan } from './plan';
import { IncomingClientRequest, ProxyExchange } from './proxy-exchange';
import { normalizePath } from './request-path';
import type { GatewayHeaderFlags } from './response-headers';
import type { RouteMatch } from './router';
import { ClientAbort, classifyUpstreamError, type UpstreamClient } from './upstream';

export interface HandlerDeps {
  readonly logger: GatewayLogger;
  readonly flags: GatewayHeaderFlags;
  readonly upstream: UpstreamClient;
  /** Value of the X-Luagate-Worker debug header, or null when disabled. */
  readonly workerHeader: string | null;
  isDraining(): boolean;
}

interface RequestState {
  status: number;
  bytesSent: number;
  match: RouteMatch | null;
  upstreamLatencyMs: number | null;
}

export function newRequestId(): string {
  return randomUUID().replace(/-/g, '');
}

export async function handleRequest(req: IncomingMessage, res: ServerResponse, plan: ProxyPlan,
  deps: HandlerDeps): Promise<void> {
  const startTime = Date.now();
  const request = new IncomingClientRequest(newRequestId(), startTime, req);
  const state: RequestState = { status: 0, bytesSent: 0, match: null, upstreamLatencyMs: null };
  res.once('close', () => writeAccessLog(request, state, res, deps));
  const generated: GeneratedResponseContext = {
    requestId: request.id, startTime, flags: deps.flags, workerHeader: deps.workerHeader, draining: deps.isDraining(),
  };
  const fail = (error: GatewayErrorResponse, extra?: ReadonlyArray<[string, string]>): void => {
    state.status = error.status;
    state.bytesSent = sendGatewayError(res, error, generated, extra);
  };

  const match = plan.router.match({
    method: request.method, host: request.host, port: request.port, path: normalizePath(request.rawPath),
    headers: request.headers,
  });
  state.match = match;
  if (!match) return fail(NO_ROUTE);
  if (!match.route.protocols.includes('http')) return rejectPlainHttp(match, request, fail);

  const log = deps.logger.forRequest(request.id);
  const exchange = new ProxyExchange(request, match, log);
  for (const plugin of plan.chains.forRoute(match.route.id)) {
    try {
      await plugin.access(exchange);
    } catch (cause) {
      const failure = new PluginFailureError(plugin.entity.name, plugin.entity.id, { cause });
      log.log('error', `[${plugin.entity.name}] ${failure.message}: ${describe(cause)}`);
      return fail(UNEXPECTED);
    }
    const exit = exchange.response.exit;
    if (exit) {
      state.status = exit.status;
      state.bytesSent = exit.body?.byteLength ?? 0;
      sendExit(res, exit, exchange.response.headers, generated);
      return;
    }
  }
  if (!match.service) return fail(NO_SERVICE);
  await proxyToUpstream(exchange, match.service, res, state, deps, fail);
}

function rejectPlainHttp(match: RouteMatch, request: IncomingClientRequest,
  fail: (e: GatewayErrorResponse, extra?: ReadonlyArray<[string, string]>) => void): void {
  const status = match.route.https_redirect_status_code;
  if (status === 426) return fail({ status, message: 'Please use HTTPS protocol' });
  const location = `https://${request.headers.get('host') ?? request.host}${request.rawPath}` +
    (request.rawQuery ? `?${request.rawQuery}` : '');
  fail({ status, message: 'Please use HTTPS protocol' }, [['Location', location]]);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}

function defaultPort(scheme: string, port: number): boolean {
  return (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
}

async function proxyToUpstream(exchange: ProxyExchange, service: ServiceEntity, res: ServerResponse,
  state: RequestState, deps: HandlerDeps, fail: (e: GatewayErrorResponse) => void): Promise<void> {
  const request = exchange.request;
  const upstream = exchange.upstream;
  const route = exchange.route.route as { preserve_host?: boolean };
  let body: Uint8Array | IncomingMessage | null;
  if (upstream.body !== undefined) body = upstream.body;
  else if (request.bufferedBody !== undefined) body = request.bufferedBody;
  else body = request.hasBody ? request.message : null;

  const hostHeader = upstream.hostHeader
    ?? (route.preserve_host && request.headers.get('host')
      ? request.headers.get('host') as string
      : defaultPort(upstream.scheme, upstream.port) ? upstream.host : `${upstream.host}:${upstream.port}`);
  const headers = upstreamRequestHeaders(upstream.headers, {
    requestId: request.id,
    hostHeader,
    remoteAddress: request.remoteAddress,
    scheme: request.scheme,
    requestHost: request.host,
    serverPort: request.port,
    requestPath: request.rawPath,
    dropContentLength: upstream.body !== undefined,
    flags: deps.flags,
  });
  if (upstream.body instanceof Uint8Array) headers.push('Content-Length', String(upstream.body.byteLength));

  const abort = new ClientAbort();
  res.once('close', () => { if (!res.writableFinished) abort.abort(); });
  const sentAt = Date.now();
  const target = `${upstream.host}:${upstream.port}`;
  let response;
  try {
    response = await deps.upstream.send(
      { scheme: upstream.scheme, host: upstream.host, port: upstream.port, connectTimeout: service.connect_timeout,
        tlsVerify: service.tls_verify ?? false },
      { method: upstream.method, path: upstream.rawQuery ? `${upstream.path}?${upstream.rawQuery}` : upstream.path,
        headers, body, readTimeout: service.read_timeout, retries: service.retries, signal: abort },
    );
  } catch (error) {
    if (abort.aborted) return;
    const classified = classifyUpstreamError(error, target);
    exchange.log.log('error', `${classified.message} while proxying ${request.method} ${request.rawPath}`);
    return fail(classified instanceof UpstreamTimeoutError ? UPSTREAM_TIMEOUT : BAD_UPSTREAM);
  }
  const receivedAt = Date.now();
  state.upstreamLatencyMs = receivedAt - sentAt;
  state.status = response.statusCode;
  const responseHeaders = clientResponseHeaders(response.rawHeaders, exchange.response.headers, {
    requestId: request.id,
    flags: deps.flags,
    upstreamLatencyMs: receivedAt - sentAt,
    proxyLatencyMs: sentAt - request.startTime,
    upstreamStatus: response.statusCode,
    workerHeader: deps.workerHeader,
  });
  if (deps.isDraining()) res.shouldKeepAlive = false;
  res.writeHead(response.statusCode, responseHeaders);
  response.body.on('data', (chunk: Buffer) => { state.bytesSent += chunk.length; });
  await new Promise<void>((resolve) => {
    pipeline(response.body, res, (error) => {
      if (error && !abort.aborted) {
        exchange.log.log('error', `upstream ${target} response body failed: ${describe(error)}`);
      }
      resolve();
    });
  });
}

function writeAccessLog(request: IncomingClientRequest, state: RequestState, res: ServerResponse, deps: HandlerDeps): void {
  deps.logger.access({
    requestId: request.id,
    remoteAddress: request.remoteAddress,
    method: request.method,
    path: request.message.url ?? '/',
    httpVersion: request.message.httpVersion,
    status: state.status || res.statusCode,
    bytesSent: state.bytesSent,
    referer: request.headers.get('referer'),
    userAgent: request.headers.get('user-agent'),
    host: request.host,
    routeId: state.match?.route.id ?? null,
    serviceId: state.match?.service?.id ?? null,
    latencyMs: Date.now() - request.startTime,
    upstreamLatencyMs: state.upstreamLatencyMs,
  });
}
