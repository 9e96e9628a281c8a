// The PDK sees an HTTP exchange only through this interface. The proxy implements it for real
// requests; tests implement it in memory. Nothing below knows about node:http.
import type { PdkScope } from './scope';

/** An ordered, case-insensitive multi-map of header fields. Names keep the case first given. */
export interface HeaderMap {
  get(name: string): string | undefined;          // first value
  getAll(name: string): string[];                 // every value, in order ([] when absent)
  /** The value, or every value in order when the field repeats; undefined when absent. */
  lookup(name: string): string | string[] | undefined;
  has(name: string): boolean;
  set(name: string, value: string | readonly string[]): void; // replaces every value
  add(name: string, value: string): void;         // appends one more value
  delete(name: string): void;
  clear(): void;
  /** [name as given, value] in insertion order; a repeated header appears once per value. */
  entries(): Array<[string, string]>;
  /** Distinct names (as first given) in insertion order. */
  names(): string[];
  readonly size: number;
  /** Header lines: a repeated header counts once per value. */
  readonly lineCount: number;
}

/** The request as the client sent it. Read-only. */
export interface ClientRequest {
  readonly id: string;                 // request id (X-Kong-Request-Id, kong.request.get_id())
  readonly startTime: number;          // ms since epoch
  readonly method: string;             // upper case
  readonly scheme: 'http' | 'https';
  readonly httpVersion: number;        // 1.0, 1.1, 2
  readonly host: string;               // lower case, no port (Host header or server address)
  readonly port: number;               // port the gateway received the request on
  readonly rawPath: string;            // path as received, without query, not normalized
  readonly rawQuery: string;           // query without '?', not decoded; '' when none
  readonly headers: HeaderMap;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The body when already read; undefined when it has not been read (yet). */
  readonly bufferedBody: Uint8Array | undefined;
  /** Reads the whole body (once; later calls return the same bytes). */
  readBody(): Promise<Uint8Array>;
}

/** The request that will be sent upstream. Plugins edit it during the access phase. */
export interface UpstreamRequest {
  method: string;
  scheme: 'http' | 'https';
  host: string;                        // target host (service host)
  port: number;
  path: string;                        // path to send (already joined with the service path)
  rawQuery: string;                    // query to send, without '?'
  headers: HeaderMap;                  // headers to send (client headers unless a plugin changed them)
  /** Host header to send; null = derive from preserve_host / the target. */
  hostHeader: string | null;
  /**
   * undefined: stream the client body unchanged. A Uint8Array: send these bytes instead
   * (Content-Length recomputed). null: send no body.
   */
  body: Uint8Array | null | undefined;
}

/** A short-circuit answer produced by kong.response.exit (or a plugin error policy). */
export interface ExitResponse {
  readonly status: number;
  readonly body: Uint8Array | null;
  readonly headers: Array<[string, string]>;
}

/** Headers/status set on the client response before the upstream answers. */
export interface ClientResponse {
  status: number | null;
  readonly headers: HeaderMap;
  /** Set once kong.response.exit (or a plugin) answered; the proxy then sends this and stops. */
  exit: ExitResponse | null;
}

export interface RouteInfo {
  readonly routeId: string;
  readonly serviceId: string | null;
  readonly route: Readonly<Record<string, unknown>>;    // Kong route entity as a plain object
  readonly service: Readonly<Record<string, unknown>> | null;
  /** Regex captures of the matched path: numbered (index 0 = whole match) and named. */
  readonly uriCaptures: { readonly unnamed: readonly string[]; readonly named: Readonly<Record<string, string>> } | null;
}

export interface LogSink {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Whether a line of `level` would be written (callers skip building messages nobody reads). */
  enabled(level: LogLevel): boolean;
}
export type LogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';

/** Everything a plugin and the PDK may touch for one request. */
export interface Exchange {
  readonly request: ClientRequest;
  readonly upstream: UpstreamRequest;
  readonly response: ClientResponse;
  readonly route: RouteInfo | null;
  readonly consumer: Readonly<Record<string, unknown>> | null;
  readonly log: LogSink;
  /** Per-request host-side storage (e.g. the client query parsed once). */
  readonly ctx: Map<string | symbol, unknown>;
  /**
   * The request's PDK scope (kong.ctx.shared and the other per-request Lua state), shared by every
   * plugin of the request; set by the first plugin that needs it.
   */
  pdkScope?: PdkScope;
}
