// HTTP client of the callouts: undici dispatchers with keep-alive, built once per distinct set of
// http_opts (ssl_verify, SNI, timeouts, forward proxy) and reused by every request.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, Pool, ProxyAgent, buildConnector, type Connector, type Dispatcher } from '../../util/undici';
import { ReadTimedCall, readTimeouts } from '../../util/read-timeouts';
import { registerHeaderNames } from '../../util/undici-header-names';
import { watchedConnector } from '../../util/write-watchdog';
import type { CalloutProxyConfig, CalloutTimeouts } from './config';

/** Decision 18: 60 s connect/write/read when http_opts.timeouts is null. */
export const DEFAULT_TIMEOUT_MS = 60_000;
const KEEPALIVE_MS = 60_000;

export interface CalloutHttpOptions {
  readonly ssl_verify: boolean;
  readonly ssl_server_name: string | null;
  readonly timeouts: CalloutTimeouts | null;
  readonly proxy: CalloutProxyConfig | null;
}

export interface CalloutHttpRequest {
  /** scheme://host[:port] the dispatcher connects to. */
  readonly origin: string;
  /** Path and query as sent on the request line. */
  readonly path: string;
  /** The full URL, for logs. */
  readonly href: string;
  readonly method: string;
  /** Flat [name, value, name, value...] list, sent as given. */
  readonly headers: string[];
  readonly body: Uint8Array | null;
}

export type HeaderFields = Record<string, string | string[]>;

/** The callout target left a write of the request waiting longer than timeouts.write. */
export class CalloutWriteTimeoutError extends Error {
  readonly code = 'LUAGATE_WRITE_TIMEOUT';

  constructor(timeoutMs: number) {
    super(`the callout target took nothing of the request for ${timeoutMs} ms`);
    this.name = 'CalloutWriteTimeoutError';
  }
}

/** The callout target left the gateway waiting for its answer longer than timeouts.read. */
export class CalloutReadTimeoutError extends Error {
  readonly code = 'LUAGATE_READ_TIMEOUT';

  constructor(timeoutMs: number) {
    super(`the callout target sent nothing for ${timeoutMs} ms`);
    this.name = 'CalloutReadTimeoutError';
  }
}

export type CalloutHttpResult =
  /** `headers` parses the answer's header fields on its first call and returns the same object after. */
  | { readonly ok: true; readonly status: number; readonly headers: () => HeaderFields; readonly body: Buffer }
  | { readonly ok: false; readonly error: string };

/** Reads lua_ssl_trusted_certificate entries ('system' = Node's bundled roots). */
export function loadTrustedCa(paths: readonly string[]): string[] | undefined {
  if (paths.length === 0) return undefined;
  const out: string[] = [];
  for (const path of paths) {
    if (path === 'system') out.push(...rootCertificates);
    else out.push(readFileSync(path, 'utf8'));
  }
  return out;
}

function proxyFor(scheme: string, proxy: CalloutProxyConfig | null): string | null {
  if (!proxy) return null;
  return (scheme === 'https:' ? proxy.https_proxy : proxy.http_proxy) ?? null;
}

export class CalloutDispatchers {
  private readonly dispatchers = new Map<string, Dispatcher>();
  /** Per configured http_opts object and scheme: skips building the key on every request. */
  private readonly byConfig = new WeakMap<object, Map<string, Dispatcher>>();

  constructor(private readonly ca: string[] | undefined) {}

  /** The dispatcher for a target scheme and options; created on first use, then reused. */
  get(scheme: string, options: CalloutHttpOptions): Dispatcher {
    const proxyUrl = proxyFor(scheme, options.proxy);
    const key = JSON.stringify([options.ssl_verify, options.ssl_server_name, options.timeouts?.connect ?? null,
      options.timeouts?.write ?? null, proxyUrl, proxyUrl ? options.proxy?.auth_username : null, proxyUrl ? options.proxy?.auth_password : null]);
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = this.create(options, proxyUrl);
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  /** Like get(), memoised on the (frozen) http_opts object of the configuration. */
  getForConfig(scheme: string, config: object, options: CalloutHttpOptions): Dispatcher {
    let perScheme = this.byConfig.get(config);
    if (!perScheme) {
      perScheme = new Map();
      this.byConfig.set(config, perScheme);
    }
    let dispatcher = perScheme.get(scheme);
    if (!dispatcher) {
      dispatcher = this.get(scheme, options);
      perScheme.set(scheme, dispatcher);
    }
    return dispatcher;
  }

  private create(options: CalloutHttpOptions, proxyUrl: string | null): Dispatcher {
    const tls = {
      rejectUnauthorized: options.ssl_verify,
      ...(options.ssl_verify && this.ca ? { ca: this.ca } : {}),
      ...(options.ssl_server_name ? { servername: options.ssl_server_name } : {}),
      timeout: options.timeouts?.connect ?? DEFAULT_TIMEOUT_MS,
    };
    const write = options.timeouts?.write ?? DEFAULT_TIMEOUT_MS;
    const stalled = (): Error => new CalloutWriteTimeoutError(write);
    if (proxyUrl === null) {
      return new Agent({ connect: watchedConnector(buildConnector(tls), write, stalled), keepAliveTimeout: KEEPALIVE_MS });
    }
    const user = options.proxy?.auth_username;
    const password = options.proxy?.auth_password;
    return new ProxyAgent({
      uri: proxyUrl,
      requestTls: tls,
      proxyTls: { timeout: tls.timeout },
      keepAliveTimeout: KEEPALIVE_MS,
      // Each pool's connect opens the tunnel and hands over the target connection (the tunnel
      // itself, or TLS over it): watched there, as without a proxy.
      factory: (origin: string | URL, agentOptions: object) => {
        const { connect } = agentOptions as { connect: Connector };
        return new Pool(origin, { ...agentOptions, connect: watchedConnector(connect, write, stalled) });
      },
      ...(user || password ? { token: `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}` } : {}),
    });
  }

  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.allSettled(all.map((d) => d.close()));
  }
}

const NO_FIELDS: readonly Buffer[] = [];

/**
 * Collects one callout answer straight from undici's dispatch handler (no body stream or promise
 * per chunk): status, raw header fields (parsed when first asked for: most configs never read
 * them), whole body. undici's field buffers view the socket's read chunk, which is not reused.
 * Reads are timed by `readTimeouts` from the end of the request on.
 */
class CollectingHandler extends ReadTimedCall {
  private status = 0;
  private rawHeaders: readonly Buffer[] = NO_FIELDS;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private abort: ((reason?: Error) => void) | null = null;

  constructor(readTimeoutMs: number, private readonly settle: (result: CalloutHttpResult) => void) {
    super(readTimeoutMs);
    readTimeouts.watch(this);
  }

  readTimedOut(): void {
    this.abort?.(new CalloutReadTimeoutError(this.readTimeoutMs));
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
  }

  onRequestSent(): void {
    this.readProgress();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.readProgress();
    if (statusCode < 200) return true;   // 1xx: the final head follows
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.readProgress();
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    readTimeouts.unwatch(this);
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.settle({ ok: true, status: this.status, headers: deferredFields(this.rawHeaders), body });
  }

  onError(error: Error): void {
    readTimeouts.unwatch(this);
    this.settle({ ok: false, error: describeTransportError(error) });
  }
}

function deferredFields(raw: readonly Buffer[]): () => HeaderFields {
  let fields: HeaderFields | null = null;
  return () => (fields ??= parseHeaderFields(raw));
}

/** Lower-case names; a repeated field's values as an array. */
function parseHeaderFields(raw: readonly Buffer[]): HeaderFields {
  const fields: HeaderFields = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    const value = raw[i + 1].toString('latin1');
    const seen = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if (seen === undefined) {
      if (name === '__proto__') Object.defineProperty(fields, name, { value, enumerable: true, configurable: true, writable: true });
      else fields[name] = value;
    } else if (typeof seen === 'string') fields[name] = [seen, value];
    else seen.push(value);
  }
  return fields;
}

/**
 * Sends one callout request and reads the whole response; `settle` gets it once, transport
 * failures as `ok: false`. A callback rather than a promise: the caller's policy runs straight from
 * undici's handler, with no promise or async frame per attempt. `settle` must not throw.
 */
export function sendCallout(dispatcher: Dispatcher, request: CalloutHttpRequest, timeouts: CalloutTimeouts | null,
  settle: (result: CalloutHttpResult) => void): void {
  const read = timeouts?.read ?? DEFAULT_TIMEOUT_MS;
  if (dispatcher instanceof ProxyAgent && hasField(request.headers, 'proxy-authorization')) {
    // undici refuses it: the proxy's credentials go on the tunnel it opens, from http_opts.proxy.
    settle({ ok: false, error: 'a Proxy-Authorization header cannot be sent through http_opts.proxy; ' +
      'set http_opts.proxy.auth_username and auth_password instead' });
    return;
  }
  registerHeaderNames(request.headers);
  const handler = new CollectingHandler(read, settle);
  try {
    dispatcher.dispatch({
      origin: request.origin,
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: request.body ?? undefined,
      // Reads are timed by readTimeouts (0 turns undici's own timers off).
      headersTimeout: 0,
      bodyTimeout: 0,
    }, handler as unknown as Dispatcher.DispatchHandler);
  } catch (err) {
    // A dispatcher may refuse the request outright (ProxyAgent with a Proxy-Authorization field).
    readTimeouts.unwatch(handler);
    throw err;
  }
}

function hasField(flat: readonly string[], lowerName: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i].length === lowerName.length && flat[i].toLowerCase() === lowerName) return true;
  return false;
}

/** Short lua-resty-http style reasons ("connection refused", "timeout") for the retries table. */
export function describeTransportError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return 'connection reset by peer';
    case 'UND_ERR_CONNECT_TIMEOUT': case 'UND_ERR_HEADERS_TIMEOUT': case 'UND_ERR_BODY_TIMEOUT': case 'ETIMEDOUT':
    case 'LUAGATE_WRITE_TIMEOUT': case 'LUAGATE_READ_TIMEOUT':
      return 'timeout';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'could not be resolved';
    default: break;
  }
  const message = e?.message ?? String(error);
  if (/certificate|self[- ]signed|altnames|SSL|TLS/i.test(message) || /CERT|TLS|SSL/.test(code ?? '')) {
    return `handshake failed: ${message}`;
  }
  return message;
}
