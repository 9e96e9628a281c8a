// Sends the upstream request through a keep-alive undici Pool per target and classifies failures
// into Kong's 502/504 cases. Retries only connection failures, and only when the body can be replayed.
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import type Dispatcher from 'undici/types/dispatcher';
import { UpstreamConnectionError, UpstreamTimeoutError } from './errors';

export interface UpstreamTarget {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly connectTimeout: number;
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
  readonly signal?: ClientAbort;
}

/**
 * Aborts the upstream call when the client goes away. undici accepts an EventEmitter as a signal;
 * an AbortController per request (signal + DOMException machinery) cost several % of the
 * passthrough CPU.
 */
export class ClientAbort extends EventEmitter {
  aborted = false;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

export interface UpstreamResponse {
  readonly statusCode: number;
  /** Raw response header fields: [name, value, name, value, ...] as sent by the upstream. */
  readonly rawHeaders: string[];
  readonly body: Readable;
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
export function classifyUpstreamError(error: unknown, target: string): UpstreamConnectionError | UpstreamTimeoutError {
  if (error instanceof UpstreamConnectionError || error instanceof UpstreamTimeoutError) return error;
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return new UpstreamTimeoutError(target, 'connect', { cause: error });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new UpstreamTimeoutError(target, 'read', { cause: error });
  return new UpstreamConnectionError(target, code, { cause: error });
}

function retryable(error: UpstreamConnectionError | UpstreamTimeoutError, method: string, body: UpstreamCall['body']): boolean {
  const streamed = body !== null && !(body instanceof Uint8Array);
  if (streamed && (body as Readable).readableDidRead) return false;
  if (error instanceof UpstreamTimeoutError) return error.phase === 'connect';
  if (CONNECT_FAILURES.has(error.code)) return true;
  return CONNECTION_FAILURES.has(error.code) && IDEMPOTENT.has(method);
}

function rawHeadersToStrings(raw: unknown): string[] {
  const list = raw as Array<Buffer | string>;
  const out = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    out[i] = typeof item === 'string' ? item : item.toString('latin1');
  }
  return out;
}

export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly keepAliveTimeoutMs = 60_000) {}

  private pool(target: UpstreamTarget): Pool {
    const key = `${target.scheme}://${target.host}:${target.port}|${target.connectTimeout}|${target.tlsVerify}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(`${target.scheme}://${formatHost(target.host)}:${target.port}`, {
        connect: { timeout: target.connectTimeout, rejectUnauthorized: target.tlsVerify },
        keepAliveTimeout: this.keepAliveTimeoutMs,
        keepAliveMaxTimeout: this.keepAliveTimeoutMs,
        pipelining: 1,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  async send(target: UpstreamTarget, call: UpstreamCall): Promise<UpstreamResponse> {
    const label = `${target.host}:${target.port}`;
    const pool = this.pool(target);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await pool.request({
          path: call.path,
          method: call.method as Dispatcher.HttpMethod,
          headers: call.headers,
          body: call.body as Dispatcher.DispatchOptions['body'],
          headersTimeout: call.readTimeout,
          bodyTimeout: call.readTimeout,
          responseHeaders: 'raw',
          signal: call.signal,
        });
        return { statusCode: response.statusCode, rawHeaders: rawHeadersToStrings(response.headers), body: response.body };
      } catch (error) {
        const classified = classifyUpstreamError(error, label);
        if (attempt >= call.retries || call.signal?.aborted || !retryable(classified, call.method, call.body)) throw classified;
      }
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  }
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
