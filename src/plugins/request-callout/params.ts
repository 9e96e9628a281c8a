// `kong.ctx.shared.callouts.<name>.request.params` on the JS side: built from the config and the
// client request (decisions 4, 15, 16), and turned into the wire request at send time.
import type { Exchange } from '../../pdk/exchange';
import { KONG_VERSION } from '../../proxy/version';
import type { CalloutProxyConfig, CalloutTimeouts } from './config';
import type { CalloutHttpRequest } from './http-client';
import { encodeJson } from './lua-context';
import { encodeQuery, parseQuery, type QueryTable } from './query';
import { BoundedMemo } from '../../util/bounded-memo';

export const USER_AGENT = `kong/${KONG_VERSION}/request-callout`;

export type HeaderTable = Record<string, string | string[]>;

export interface CalloutParams {
  url: string;
  method: string;
  /** A table (sent encoded, replacing the URL's query), a raw string (sent verbatim), or null (URL as is). */
  query: QueryTable | string | null;
  headers: HeaderTable;
  /** Bytes/strings are sent as given; any other value is JSON-encoded. */
  body: unknown;
  decode: boolean;
  ssl_verify: boolean;
  ssl_server_name: string | null;
  proxy: CalloutProxyConfig | null;
  timeouts: CalloutTimeouts | null;
}

/** Never forwarded to a callout (decision 16); the HTTP client sets its own. */
const NOT_FORWARDED = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te',
  'trailer', 'upgrade', 'expect', 'proxy-authorization', 'proxy-authenticate',
]);

/** Client headers as kong.request.get_headers() sees them: lower-case names, arrays for repeats. */
export function forwardedHeaders(exchange: Exchange): HeaderTable {
  const out: HeaderTable = Object.create(null) as HeaderTable;
  const connectionListed = new Set(exchange.request.headers.getAll('connection')
    .flatMap((v) => v.split(',')).map((t) => t.trim().toLowerCase()).filter(Boolean));
  for (const [rawName, value] of exchange.request.headers.entries()) {
    const name = rawName.toLowerCase();
    if (NOT_FORWARDED.has(name) || connectionListed.has(name)) continue;
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}

/** Removes every key equal to `name` ignoring case. */
export function deleteHeader(headers: HeaderTable, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
}

export function hasHeader(headers: Readonly<Record<string, unknown>>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

/** Custom values: null removes, a value replaces any same-named header (decision 24). */
export function applyCustomHeaders(headers: HeaderTable, rendered: ReadonlyArray<[string, string | null]>): void {
  for (const [name, value] of rendered) {
    deleteHeader(headers, name);
    if (value !== null) headers[name] = value;
  }
}

/** Decision 4: URL query, then forwarded client args, then custom (null deletes). */
export function composeQuery(url: string, clientQuery: string | null, rendered: ReadonlyArray<[string, string | null]> | null): QueryTable {
  const q = url.indexOf('?');
  const table = parseQuery(q < 0 ? '' : url.slice(q + 1).replace(/#.*$/, ''));
  if (clientQuery !== null) parseQuery(clientQuery, table);
  if (rendered) {
    for (const [name, value] of rendered) {
      delete table[name];
      if (value !== null) table[name] = value;
    }
  }
  return table;
}

// Most callouts use one or a few URLs: parsed once, shared (the URL objects are never modified).
const parsedUrls = new BoundedMemo<string, URL | string>(1024);

/** The URL a callout sends to, or the reason it cannot be used (lua-resty-http's wording). */
export function parseCalloutUrl(text: string): URL | string {
  return parsedUrls.get(text, parseUrlUncached);
}

function parseUrlUncached(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'could not parse url';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported scheme ${url.protocol.slice(0, -1) || '""'}`;
  if (url.hostname === '') return 'missing host in url';
  return url;
}

const NEVER_SENT = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function headerText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function pushField(fields: string[], name: string, value: unknown): void {
  const text = headerText(value);
  if (text !== null) fields.push(name, text);
}

function bodyBytes(body: unknown): { bytes: Uint8Array | null; json: boolean } {
  if (body === null || body === undefined) return { bytes: null, json: false };
  if (body instanceof Uint8Array) return { bytes: body, json: false };
  if (typeof body === 'string') return { bytes: Buffer.from(body), json: false };
  if (typeof body === 'number' || typeof body === 'boolean') return { bytes: Buffer.from(String(body)), json: false };
  return { bytes: Buffer.from(encodeJson(body)), json: true };
}

// Characters a URL parser leaves alone in the query of an http(s) URL; anything else (a string query
// set by by_lua may hold spaces, quotes, non-ASCII) is percent-encoded the way the parser does it.
const QUERY_KEPT_AS_IS = /^[!$%&(-;=?-~]*$/;

function encodedQuery(search: string): string {
  return new URL(`http://h/?${search}`).search.slice(1);
}

/** The pieces of a parsed URL a wire request is made of (URL getters build a new string per call). */
export interface WireParts {
  readonly protocol: string;
  readonly origin: string;
  /** pathname + search, as sent when the query is not replaced. */
  readonly path: string;
  readonly pathname: string;
  readonly search: string;
  /** href without the fragment. */
  readonly href: string;
}

// Parsed URLs are shared and never modified (parseCalloutUrl keeps one per text): so are their parts.
const wireParts = new WeakMap<URL, WireParts>();

export function partsOf(url: URL): WireParts {
  let parts = wireParts.get(url);
  if (parts === undefined) {
    const href = url.hash === '' ? url.href : url.href.slice(0, -url.hash.length);
    parts = { protocol: url.protocol, origin: url.origin, path: url.pathname + url.search, pathname: url.pathname, search: url.search, href };
    wireParts.set(url, parts);
  }
  return parts;
}

/** The request to send for `params` (URL already validated). */
export function toWireRequest(params: CalloutParams, url: URL): CalloutHttpRequest {
  // The URL object is shared (parsed once per text): the query is replaced by string edits.
  const parts = partsOf(url);
  let path = parts.path;
  let href = parts.href;
  if (params.query !== null) {
    const search = typeof params.query === 'string' ? params.query : encodeQuery(params.query);
    const query = search === '' ? '' : `?${QUERY_KEPT_AS_IS.test(search) ? search : encodedQuery(search)}`;
    path = parts.pathname + query;
    href = href.slice(0, href.length - parts.search.length) + query;
  }
  const headers: string[] = [];
  let contentTypeSeen = false;
  let userAgentSeen = false;
  const names = Object.keys(params.headers);
  // One Content-Type only (decision 15): the last one written wins when by_lua added variants.
  let lastContentType: string | undefined;
  for (const name of names) if (name.length === 12 && name.toLowerCase() === 'content-type') lastContentType = name;
  for (const name of names) {
    const lower = name.toLowerCase();
    if (NEVER_SENT.has(lower)) continue;
    if (lower === 'content-type') {
      if (name !== lastContentType || contentTypeSeen) continue;
      contentTypeSeen = true;
    }
    if (lower === 'user-agent') userAgentSeen = true;
    const value = params.headers[name] as unknown;
    if (Array.isArray(value)) {
      for (const v of value) pushField(headers, name, v);
    } else {
      pushField(headers, name, value);
    }
  }
  if (!userAgentSeen) headers.push('User-Agent', USER_AGENT);
  const { bytes, json } = bodyBytes(params.body);
  if (json && !contentTypeSeen) headers.push('Content-Type', 'application/json');
  return { origin: parts.origin, path, href, method: params.method, headers, body: bytes };
}
