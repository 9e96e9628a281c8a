// One request through the gateway: route, access phase of the route's plugins, upstream call,
// response relayed back; Kong's error responses on the way; one access-log line at the end.
// A route without plugins is proxied synchronously: no promise, one 'close' listener, and the
// upstream answer written straight into the client response (see upstream.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogLevel, LogSink } from '../pdk/exchange';
import type { PluginInstance } from '../plugins/plugin';
import {
  BAD_UPSTREAM, NO_ROUTE, NO_SERVICE, PluginFailureError, UNEXPECTED, UPSTREAM_TIMEOUT,
  UpstreamTimeoutError, type GatewayErrorResponse,
} from './errors';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers';
import { firstValue } from './header-map';
import { sendExit, sendGatewayError, type GeneratedResponseContext } from './kong-response';
import type { GatewayLogger } from './log';
import type { ProxyPlan } from './plan';
import { IncomingClientRequest, ProxyExchange } from './proxy-exchange';
import { newRequestId } from './request-id';
import { normalizePath } from './request-path';
import type { GatewayHeaderFlags } from './response-headers';
import type { RegexLimitListener, RouteMatch } from './router';
import type { UpstreamClient, UpstreamFailure, UpstreamRelay, UpstreamSink } from './upstream';

export interface HandlerDeps {
  readonly logger: GatewayLogger;
  readonly flags: GatewayHeaderFlags;
  readonly upstream: UpstreamClient;
  /** Value of the X-Luagate-Worker debug header, or null when disabled. */
  readonly workerHeader: string | null;
  isDraining(): boolean;
  /** Called once per request when its response is finished or its connection closed. */
  requestDone(): void;
}

/** Starts handling one request; everything after the synchronous part reports through the response. */
export function handleRequest(req: IncomingMessage, res: ServerResponse, plan: ProxyPlan, deps: HandlerDeps): void {
  new ProxiedRequest(req, res, plan, deps).start();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}

/** The Content-Length of a flat [name, value, ...] list, or -1 when absent or not a plain number. */
function declaredLength(fields: readonly string[]): number {
  const value = firstValue(fields, 'content-length');
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : -1;
}

function defaultPort(scheme: string, port: number): boolean {
  return (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
}

/** One request; also the log sink its plugins write to (lines carry the request id). */
class ProxiedRequest implements UpstreamSink, LogSink, RegexLimitListener {
  private readonly request: IncomingClientRequest;
  private status = 0;
  private bytesSent = 0;
  private match: RouteMatch | null = null;
  private exchange: ProxyExchange | null = null;
  private relay: UpstreamRelay | null = null;
  private sentAt = 0;
  private upstreamLatencyMs: number | null = null;
  private resumeUpstream: (() => void) | null = null;
  /** Body bytes the upstream still owes by its Content-Length, or -1 when it declared none. */
  private bodyLeft = -1;
  private ended = false;

  constructor(req: IncomingMessage, private readonly res: ServerResponse, private readonly plan: ProxyPlan,
    private readonly deps: HandlerDeps) {
    this.request = new IncomingClientRequest(newRequestId(), Date.now(), req);
    plan.acquire();
    // 'close' comes once per response: a plain listener spares the once-wrapper per request.
    res.on('close', () => this.finished());
  }

  enabled(level: LogLevel): boolean {
    return this.deps.logger.enabled(level);
  }

  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void {
    const logger = this.deps.logger;
    if (!logger.enabled(level)) return;
    const requestId = this.request.id;
    logger.log(level, message, fields ? { ...fields, request_id: requestId } : { request_id: requestId });
  }

  start(): void {
    const request = this.request;
    const match = this.plan.router.match({
      method: request.method, host: request.host, port: request.port, path: normalizePath(request.rawPath),
      headers: request.headers, regexLimit: this,
    });
    this.match = match;
    if (!match) return this.fail(NO_ROUTE);
    if (!match.route.protocols.includes('http')) return this.rejectPlainHttp(match);
    this.exchange = new ProxyExchange(request, match, this);
    const chain = this.plan.chains.forRoute(match.route.id);
    if (chain.length === 0) return this.forward();
    this.runAccessPhase(chain, 0);
  }

  routeRegexStopped(routeId: string, pattern: string, limitMs: number): void {
    this.log('error', `route ${routeId}: regex path '${pattern}' stopped after ${limitMs} ms on ${this.request.rawPath} (treated as no match)`);
  }

  /**
   * Runs the plugins from `from` on, synchronously for as long as each finishes at once (a cache
   * hit, say); the first one that has to wait continues the phase when it settles.
   */
  private runAccessPhase(chain: readonly PluginInstance[], from: number): void {
    const exchange = this.exchange as ProxyExchange;
    for (let i = from; i < chain.length; i++) {
      const plugin = chain[i];
      let pending: void | Promise<void>;
      try {
        pending = plugin.access(exchange);
      } catch (cause) {
        return this.pluginFailed(plugin, cause);
      }
      if (pending instanceof Promise) {
        pending
          .then(() => { if (this.mayContinue()) this.runAccessPhase(chain, i + 1); }, (cause: unknown) => this.pluginFailed(plugin, cause))
          .catch((error: unknown) => this.unexpected(error));
        return;
      }
      if (!this.mayContinue()) return;
    }
    this.forward();
  }

  /** After a plugin: false when the client left or the plugin answered it (the answer is sent). */
  private mayContinue(): boolean {
    if (this.res.destroyed) return false;
    const exchange = this.exchange as ProxyExchange;
    const exit = exchange.response.exit;
    if (!exit) return true;
    this.status = exit.status;
    this.bytesSent = exit.body?.byteLength ?? 0;
    sendExit(this.res, exit, exchange.response.headers, this.generated());
    return false;
  }

  private pluginFailed(plugin: PluginInstance, cause: unknown): void {
    const failure = new PluginFailureError(plugin.entity.name, plugin.entity.id, { cause });
    (this.exchange as ProxyExchange).log.log('error', `[${plugin.entity.name}] ${failure.message}: ${describe(cause)}`);
    this.fail(UNEXPECTED);
  }

  private forward(): void {
    const exchange = this.exchange as ProxyExchange;
    const service = (this.match as RouteMatch).service;
    if (!service) return this.fail(NO_SERVICE);
    const request = this.request;
    const upstream = exchange.upstream;
    const preserveHost = (exchange.route.route as { preserve_host?: boolean }).preserve_host === true;
    let body: Uint8Array | IncomingMessage | null;
    if (upstream.body !== undefined) body = upstream.body;
    else if (request.bufferedBody !== undefined) body = request.bufferedBody;
    else body = request.hasBody ? request.message : null;

    const hostHeader = upstream.hostHeader
      ?? (preserveHost && request.hostHeader ? request.hostHeader
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
      flags: this.deps.flags,
    });
    if (upstream.body instanceof Uint8Array) headers.push('Content-Length', String(upstream.body.byteLength));

    this.sentAt = Date.now();
    this.relay = this.deps.upstream.relay(
      { scheme: upstream.scheme, host: upstream.host, port: upstream.port, connectTimeout: service.connect_timeout,
        writeTimeout: service.write_timeout, tlsVerify: service.tls_verify ?? false },
      { method: upstream.method, path: upstream.rawQuery ? `${upstream.path}?${upstream.rawQuery}` : upstream.path,
        headers, body, readTimeout: service.read_timeout, retries: service.retries },
      this,
    );
  }

  onHead(statusCode: number, rawHeaders: readonly Buffer[], resume: () => void): boolean {
    const receivedAt = Date.now();
    const request = this.request;
    this.upstreamLatencyMs = receivedAt - this.sentAt;
    this.status = statusCode;
    this.resumeUpstream = resume;
    const headers = clientResponseHeaders(rawHeaders, (this.exchange as ProxyExchange).response.editedHeaders, {
      requestId: request.id,
      flags: this.deps.flags,
      upstreamLatencyMs: this.upstreamLatencyMs,
      proxyLatencyMs: this.sentAt - request.startTime,
      upstreamStatus: statusCode,
      workerHeader: this.deps.workerHeader,
    });
    if (this.deps.isDraining()) this.res.shouldKeepAlive = false;
    this.bodyLeft = declaredLength(headers);
    this.res.writeHead(statusCode, headers);
    return true;
  }

  onBody(chunk: Buffer): boolean {
    if (this.ended) return true;
    // The chunk that completes the declared length is the last: one end(chunk) instead of write +
    // end. Bytes past it (a plugin set a shorter Content-Length) are not sent: the client reads
    // no more than declared, and the rest would garble the next response on the connection.
    if (this.bodyLeft >= 0 && chunk.length >= this.bodyLeft) {
      const last = chunk.length === this.bodyLeft ? chunk : chunk.subarray(0, this.bodyLeft);
      this.bytesSent += last.length;
      this.ended = true;
      this.res.end(last);
      return true;
    }
    this.bytesSent += chunk.length;
    if (this.bodyLeft > 0) this.bodyLeft -= chunk.length;
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resumeUpstream as () => void);
    return false;
  }

  onEnd(): void {
    if (this.ended) return;
    // The answer declared more bytes than came (a plugin set a longer Content-Length): the client
    // would wait for the rest, so the connection is closed once what came has gone out.
    if (this.bodyLeft > 0 && this.request.method !== 'HEAD' && this.status !== 204 && this.status !== 304) {
      this.log('error', `response to ${this.request.method} ${this.request.rawPath} ended ${this.bodyLeft} bytes short of its Content-Length; connection closed`);
      const socket = this.res.socket;
      this.res.end(() => socket?.destroy());
      return;
    }
    this.res.end();
  }

  onFail(error: UpstreamFailure, afterHead: boolean): void {
    const request = this.request;
    if (afterHead) {
      this.log('error', `upstream response body failed: ${error.message} while proxying ${request.method} ${request.rawPath}`);
      this.res.destroy();
      return;
    }
    this.log('error', `${error.message} while proxying ${request.method} ${request.rawPath}`);
    this.fail(error instanceof UpstreamTimeoutError ? UPSTREAM_TIMEOUT : BAD_UPSTREAM);
  }

  private finished(): void {
    if (!this.res.writableFinished) this.relay?.abort();
    this.plan.release();
    this.writeAccessLog();
    this.deps.requestDone();
  }

  private generated(): GeneratedResponseContext {
    return {
      requestId: this.request.id, startTime: this.request.startTime, flags: this.deps.flags,
      workerHeader: this.deps.workerHeader, draining: this.deps.isDraining(),
    };
  }

  private fail(error: GatewayErrorResponse, extra?: ReadonlyArray<[string, string]>): void {
    this.status = error.status;
    this.dropRestOfBody();
    this.bytesSent = sendGatewayError(this.res, error, this.generated(), extra);
  }

  /**
   * Answering before the client has sent all of its body (the upstream failed mid-upload): the
   * stream that carried the body to the upstream is gone and Node will not read the rest, so a
   * paused socket would never see the client leave. The rest is read and dropped while the answer
   * goes out, and the connection closes after it (Connection: close).
   */
  private dropRestOfBody(): void {
    const message = this.request.message;
    if (!this.request.hasBody || message.complete) return;
    this.res.shouldKeepAlive = false;
    this.res.socket?.resume();
  }

  private unexpected(error: unknown): void {
    const request = this.request;
    this.deps.logger.log('error', `unexpected error while handling ${request.method} ${request.message.url}: ${describe(error)}`,
      { request_id: request.id });
    this.fail(UNEXPECTED);
  }

  private rejectPlainHttp(match: RouteMatch): void {
    const request = this.request;
    const status = match.route.https_redirect_status_code;
    if (status === 426) return this.fail({ status, message: 'Please use HTTPS protocol' });
    const location = `https://${request.hostHeader ?? request.host}${request.rawPath}` +
      (request.rawQuery ? `?${request.rawQuery}` : '');
    this.fail({ status, message: 'Please use HTTPS protocol' }, [['Location', location]]);
  }

  private writeAccessLog(): void {
    if (!this.deps.logger.accessEnabled) return;
    const request = this.request;
    const match = this.match;
    this.deps.logger.access({
      requestId: request.id,
      remoteAddress: request.remoteAddress,
      method: request.method,
      path: request.message.url ?? '/',
      httpVersion: request.message.httpVersion,
      status: this.status || this.res.statusCode,
      bytesSent: this.bytesSent,
      referer: request.referer,
      userAgent: request.userAgent,
      host: request.host,
      routeId: match?.route.id ?? null,
      serviceId: match?.service?.id ?? null,
      latencyMs: Date.now() - request.startTime,
      upstreamLatencyMs: this.upstreamLatencyMs,
    });
  }
}
