// Relays the upstream call through a keep-alive undici Pool per target: the response head and body
// go straight to a sink (the client response) through undici's dispatch handler, with no stream
// or promise in between. Classifies failures into Kong's 502/504 cases and retries connection
// failures when the body can be replayed.
import type { Readable } from 'node:stream';
import { Pool, buildConnector } from '../util/undici';
import type Dispatcher from 'undici/types/dispatcher';
import { ReadTimedCall, readTimeouts } from '../util/read-timeouts';
import { registerHeaderNames } from '../util/undici-header-names';
import { watchedConnector } from '../util/write-watchdog';
import { UpstreamConnectionError, UpstreamTimeoutError } from './errors';

export interface UpstreamTarget {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly connectTimeout: number;
  /** The longest the upstream may leave a write waiting (the service's write_timeout). */
  readonly writeTimeout: number;
  readonly tlsVerify: boolean;
}

export interface UpstreamCall {
  readonly method: string;
  readonly path: string;                 // path and query
  readonly headers: string[];            // flat [name, value, ...]
  /** Bytes, a stream (sent once, as it arrives), or null for no body. */
  readonly body: Uint8Array | Readable | null;
  readonly readTimeout: number;
  readonly retries: number;
}

export type UpstreamFailure = UpstreamConnectionError | UpstreamTimeoutError;

/** Where the upstream's answer goes. Returning false from onHead/onBody pauses the upstream until resume(). */
export interface UpstreamSink {
  onHead(statusCode: number, rawHeaders: readonly Buffer[], resume: () => void): boolean;
  onBody(chunk: Buffer): boolean;
  onEnd(): void;
  /** The call failed; `afterHead` is true when the head had already been passed on. */
  onFail(error: UpstreamFailure, afterHead: boolean): void;
}

/** A call in flight; abort() when the client goes away (the sink hears nothing more). */
export interface UpstreamRelay {
  abort(): void;
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const CONNECTION_FAILURES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ENOTFOUND',
  'EAI_AGAIN', 'UND_ERR_INFO', 'HPE_INVALID_CONSTANT', 'UND_ERR_RESPONSE_STATUS_CODE']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return 'UNKNOWN';
}

/** Maps an undici/socket error to the gateway's typed upstream errors. */
export function classifyUpstreamError(error: unknown, target: string): UpstreamFailure {
  if (error instanceof UpstreamConnectionError || error instanceof UpstreamTimeoutError) return error;
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return new UpstreamTimeoutError(target, 'connect', { cause: error });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new UpstreamTimeoutError(target, 'read', { cause: error });
  return new UpstreamConnectionError(target, code, { cause: error });
}

function retryable(error: UpstreamFailure, method: string, body: UpstreamCall['body']): boolean {
  const streamed = body !== null && !(body instanceof Uint8Array);
  if (streamed && (body as Readable).readableDidRead) return false;
  if (error instanceof UpstreamTimeoutError) return error.phase === 'connect';
  if (CONNECT_FAILURES.has(error.code)) return true;
  return CONNECTION_FAILURES.has(error.code) && IDEMPOTENT.has(method);
}

class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/**
 * undici's (legacy) dispatch handler for one upstream call, re-dispatched on a retryable failure.
 * Its reads are timed by `readTimeouts` from the end of the request on, except while the client
 * holds the answer back (paused).
 */
class RelayHandler extends ReadTimedCall implements UpstreamRelay {
  private abortDispatch: ((reason?: Error) => void) | null = null;
  private aborted = false;
  private headSent = false;
  private attempt = 0;

  constructor(private readonly pool: Pool, private readonly options: Dispatcher.DispatchOptions,
    private readonly call: UpstreamCall, private readonly target: UpstreamTarget, private readonly sink: UpstreamSink) {
    super(call.readTimeout);
  }

  start(): void {
    this.readPaused();
    readTimeouts.watch(this);
    try {
      this.pool.dispatch(this.options, this);
    } catch (err) {
      readTimeouts.unwatch(this);
      throw err;
    }
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortDispatch?.(new ClientGoneError());
  }

  readTimedOut(): void {
    this.abortDispatch?.(new UpstreamTimeoutError(`${this.target.host}:${this.target.port}`, 'read'));
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.aborted) abort(new ClientGoneError());
    else this.abortDispatch = abort;
  }

  onRequestSent(): void {
    this.readProgress();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.readProgress();
    if (statusCode < 200) return true;   // 1xx: the final head follows
    this.headSent = true;
    return this.waitUnless(this.sink.onHead(statusCode, rawHeaders, () => {
      this.readProgress();
      resume();
    }));
  }

  onData(chunk: Buffer): boolean {
    this.readProgress();
    return this.waitUnless(this.sink.onBody(chunk));
  }

  /** `flowing` false: the client holds the answer back, which is not the upstream's delay. */
  private waitUnless(flowing: boolean): boolean {
    if (!flowing) this.readPaused();
    return flowing;
  }

  onComplete(): void {
    readTimeouts.unwatch(this);
    this.sink.onEnd();
  }

  onError(error: Error): void {
    readTimeouts.unwatch(this);
    if (this.aborted) return;
    const failure = classifyUpstreamError(error, `${this.target.host}:${this.target.port}`);
    if (!this.headSent && this.attempt < this.call.retries && retryable(failure, this.call.method, this.call.body)) {
      this.attempt++;
      this.abortDispatch = null;
      this.start();
      return;
    }
    this.sink.onFail(failure, this.headSent);
  }
}

interface PoolEntry {
  readonly scheme: string;
  readonly port: number;
  readonly connectTimeout: number;
  readonly writeTimeout: number;
  readonly tlsVerify: boolean;
  readonly pool: Pool;
}

export class UpstreamClient {
  /** Pools by host, then by the rest of the target (a short list): no key string per request. */
  private readonly pools = new Map<string, PoolEntry[]>();

  constructor(private readonly keepAliveTimeoutMs = 60_000) {}

  private pool(target: UpstreamTarget): Pool {
    let entries = this.pools.get(target.host);
    if (!entries) {
      entries = [];
      this.pools.set(target.host, entries);
    }
    for (const entry of entries) {
      if (entry.port === target.port && entry.scheme === target.scheme && entry.connectTimeout === target.connectTimeout
        && entry.writeTimeout === target.writeTimeout && entry.tlsVerify === target.tlsVerify) return entry.pool;
    }
    const name = `${target.host}:${target.port}`;
    const connect = buildConnector({ timeout: target.connectTimeout, rejectUnauthorized: target.tlsVerify });
    const pool = new Pool(`${target.scheme}://${formatHost(target.host)}:${target.port}`, {
      connect: watchedConnector(connect, target.writeTimeout, () => new UpstreamTimeoutError(name, 'write')),
      keepAliveTimeout: this.keepAliveTimeoutMs,
      keepAliveMaxTimeout: this.keepAliveTimeoutMs,
      pipelining: 1,
    });
    entries.push({ scheme: target.scheme, port: target.port, connectTimeout: target.connectTimeout,
      writeTimeout: target.writeTimeout, tlsVerify: target.tlsVerify, pool });
    return pool;
  }

  /** Starts the call; the answer (or the failure, after retries) goes to the sink. */
  relay(target: UpstreamTarget, call: UpstreamCall, sink: UpstreamSink): UpstreamRelay {
    registerHeaderNames(call.headers);
    const options: Dispatcher.DispatchOptions = {
      path: call.path,
      method: call.method as Dispatcher.HttpMethod,
      headers: call.headers,
      body: call.body as Dispatcher.DispatchOptions['body'],
      // Reads are timed by readTimeouts (0 turns undici's own timers off).
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    const handler = new RelayHandler(this.pool(target), options, call, target, sink);
    handler.start();
    return handler;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()].flat().map((entry) => entry.pool);
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  }
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
