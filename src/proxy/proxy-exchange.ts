// The Exchange the PDK and plugins operate on, backed by a real node:http request.
import type { IncomingMessage } from 'node:http';
import type {
  ClientRequest, ClientResponse, Exchange, ExitResponse, HeaderMap, LogSink, RouteInfo, UpstreamRequest,
} from '../pdk/exchange';
import { OrderedHeaderMap } from './header-map';
import type { RouteMatch } from './router';
import type { PdkScope } from '../pdk/scope';

export class IncomingClientRequest implements ClientRequest {
  readonly method: string;
  readonly scheme = 'http' as const;
  readonly httpVersion: number;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: HeaderMap;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly host: string;
  readonly port: number;
  /** True when the client sends a body (Content-Length > 0 or chunked). */
  readonly hasBody: boolean;
  /** Host, Referer and User-Agent as sent (first value), or undefined. */
  readonly hostHeader: string | undefined;
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
  private body: Uint8Array | undefined;
  private bodyPromise: Promise<Uint8Array> | null = null;

  constructor(readonly id: string, readonly startTime: number, readonly message: IncomingMessage) {
    this.method = message.method ?? 'GET';
    this.httpVersion = message.httpVersionMajor === 1 && message.httpVersionMinor === 0 ? 1.0
      : message.httpVersionMajor === 2 ? 2 : 1.1;
    const url = message.url ?? '/';
    const q = url.indexOf('?');
    this.rawPath = q < 0 ? url : url.slice(0, q);
    this.rawQuery = q < 0 ? '' : url.slice(q + 1);
    const raw = message.rawHeaders;
    this.headers = OrderedHeaderMap.fromRaw(raw);
    let hostHeader: string | undefined;
    let contentLength: string | undefined;
    let referer: string | undefined;
    let userAgent: string | undefined;
    let chunked = false;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i];
      // Few names matter here; the length test skips the others without lower-casing them.
      switch (name.length) {
        case 4: if (hostHeader === undefined && name.toLowerCase() === 'host') hostHeader = raw[i + 1]; break;
        case 7: if (referer === undefined && name.toLowerCase() === 'referer') referer = raw[i + 1]; break;
        case 10: if (userAgent === undefined && name.toLowerCase() === 'user-agent') userAgent = raw[i + 1]; break;
        case 14: if (contentLength === undefined && name.toLowerCase() === 'content-length') contentLength = raw[i + 1]; break;
        case 17: if (name.toLowerCase() === 'transfer-encoding') chunked = true; break;
      }
    }
    this.hostHeader = hostHeader;
    this.referer = referer;
    this.userAgent = userAgent;
    this.hasBody = contentLength !== undefined ? contentLength.trim() !== '0' : chunked;
    const socket = message.socket;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.port = socket.localPort ?? 0;
    this.host = hostWithoutPort(hostHeader) ?? (socket.localAddress ?? '');
  }

  get bufferedBody(): Uint8Array | undefined {
    return this.body;
  }

  readBody(): Promise<Uint8Array> {
    if (!this.bodyPromise) {
      this.bodyPromise = new Promise<Uint8Array>((resolve, reject) => {
        const chunks: Buffer[] = [];
        this.message.on('data', (chunk: Buffer) => chunks.push(chunk));
        this.message.once('end', () => {
          this.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve(this.body);
        });
        this.message.once('error', reject);
      });
    }
    return this.bodyPromise;
  }
}

export function hostWithoutPort(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const host = hostHeader.toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

class MutableClientResponse implements ClientResponse {
  status: number | null = null;
  exit: ExitResponse | null = null;
  private fields: OrderedHeaderMap | null = null;

  /** The fields plugins set on the client response (made on first use: most requests set none). */
  get headers(): HeaderMap {
    return (this.fields ??= new OrderedHeaderMap());
  }

  /** The fields plugins set, or null when none was ever asked for. */
  get editedHeaders(): HeaderMap | null {
    return this.fields;
  }
}

export class ProxyExchange implements Exchange {
  readonly upstream: UpstreamRequest;
  readonly response = new MutableClientResponse();
  readonly route: RouteInfo;
  readonly consumer = null;
  private store: Map<string | symbol, unknown> | null = null;
  pdkScope: PdkScope | undefined = undefined;

  /** Per-request storage of the host side; made on first use (a route without plugins never needs it). */
  get ctx(): Map<string | symbol, unknown> {
    return (this.store ??= new Map());
  }

  constructor(readonly request: IncomingClientRequest, match: RouteMatch, readonly log: LogSink) {
    const service = match.service;
    this.route = {
      routeId: match.route.id,
      serviceId: service?.id ?? null,
      route: match.route as unknown as Readonly<Record<string, unknown>>,
      service: service as unknown as Readonly<Record<string, unknown>> | null,
      uriCaptures: match.uriCaptures,
    };
    // Its own copy-on-write view of the client's fields: plugins edit this one only.
    const headers = OrderedHeaderMap.fromRaw(request.message.rawHeaders);
    this.upstream = {
      method: request.method,
      scheme: service?.protocol === 'https' ? 'https' : 'http',
      host: service?.host ?? '',
      port: service?.port ?? 80,
      path: match.upstreamPath,
      rawQuery: request.rawQuery,
      headers,
      hostHeader: null,
      body: undefined,
    };
  }
}
