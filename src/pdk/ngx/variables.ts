// nginx variables (ngx.var.*) computed from the Exchange. Like nginx, `$http_*`, `$args`,
// `$arg_*`, `$cookie_*` and `$request_method` read the request as plugins have changed it so far
// (the upstream request), while `$request_uri`, `$uri` and the connection variables read what the
// client sent. Values are strings (or raw bytes), null when nginx would report "not found".
import { hostname } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
import type { Exchange } from '../exchange';
import { cachedNowMs } from './time';
import { normalizeUriPath } from './uri-path';

export type VariableValue = string | Uint8Array | null;
type Getter = (ex: Exchange) => VariableValue;

const nodeHostname = hostname();

function joinedHeader(ex: Exchange, name: string): string | null {
  const values = ex.upstream.headers.getAll(name);
  if (values.length === 0) return null;
  return values.join(name === 'cookie' ? '; ' : ', ');
}

function query(ex: Exchange): string {
  return ex.upstream.rawQuery;
}

function upstreamHost(ex: Exchange): string {
  const up = ex.upstream;
  if (up.hostHeader !== null) return up.hostHeader;
  if (ex.route?.route.preserve_host === true) return ex.request.headers.get('host') ?? ex.request.host;
  const defaultPort = up.scheme === 'https' ? 443 : 80;
  return up.port === defaultPort ? up.host : `${up.host}:${up.port}`;
}

function httpVersionText(version: number): string {
  return `HTTP/${Number.isInteger(version) ? version.toFixed(1) : String(version)}`;
}

function binaryAddress(address: string): Uint8Array | null {
  const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(v4)) return Uint8Array.from(v4.split('.').map(Number));
  if (!isIPv6(address)) return null;
  const [head, tail = ''] = address.split('::');
  const words = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const left = words(head);
  const right = address.includes('::') ? words(tail) : [];
  const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 255; });
  return out;
}

function requestBody(ex: Exchange): VariableValue {
  const body = ex.upstream.body instanceof Uint8Array ? ex.upstream.body : ex.request.bufferedBody;
  return body && body.length > 0 ? body : null;
}

const BUILTIN: Readonly<Record<string, Getter>> = {
  request_id: (ex) => ex.request.id,
  remote_addr: (ex) => ex.request.remoteAddress,
  remote_port: (ex) => String(ex.request.remotePort),
  realip_remote_addr: (ex) => ex.request.remoteAddress,
  realip_remote_port: (ex) => String(ex.request.remotePort),
  binary_remote_addr: (ex) => binaryAddress(ex.request.remoteAddress),
  host: (ex) => ex.request.host,
  hostname: () => nodeHostname,
  server_name: () => 'kong',
  uri: (ex) => normalizeUriPath(ex.request.rawPath),
  document_uri: (ex) => normalizeUriPath(ex.request.rawPath),
  request_uri: (ex) => (ex.request.rawQuery === '' ? ex.request.rawPath : `${ex.request.rawPath}?${ex.request.rawQuery}`),
  args: (ex) => (query(ex) === '' ? null : query(ex)),
  query_string: (ex) => (query(ex) === '' ? null : query(ex)),
  is_args: (ex) => (query(ex) === '' ? '' : '?'),
  scheme: (ex) => ex.request.scheme,
  https: (ex) => (ex.request.scheme === 'https' ? 'on' : ''),
  server_port: (ex) => String(ex.request.port),
  server_protocol: (ex) => httpVersionText(ex.request.httpVersion),
  request_method: (ex) => ex.upstream.method,
  request: (ex) => `${ex.request.method} ${BUILTIN.request_uri(ex) as string} ${httpVersionText(ex.request.httpVersion)}`,
  content_type: (ex) => joinedHeader(ex, 'content-type'),
  content_length: (ex) => joinedHeader(ex, 'content-length'),
  request_body: requestBody,
  msec: () => (Math.floor(cachedNowMs()) / 1000).toFixed(3),
  request_time: (ex) => (Math.max(0, cachedNowMs() - ex.request.startTime) / 1000).toFixed(3),
  upstream_uri: (ex) => ex.upstream.path,
  upstream_host: upstreamHost,
  upstream_scheme: (ex) => ex.upstream.scheme,
};

/** nginx's $arg_<name>: raw (still escaped) value of the first `name=` argument, name case-insensitive. */
function argument(rawQuery: string, name: string): string | null {
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).toLowerCase() === name) return pair.slice(eq + 1);
  }
  return null;
}

/** nginx's $cookie_<name>: raw value of the first cookie called `name` (case-insensitive). */
function cookie(ex: Exchange, name: string): string | null {
  for (const header of ex.upstream.headers.getAll('cookie')) {
    for (const piece of header.split(/[;,]/)) {
      const eq = piece.indexOf('=');
      if (eq !== -1 && piece.slice(0, eq).trim().toLowerCase() === name) return piece.slice(eq + 1).trim();
    }
  }
  return null;
}

/** Reads variable `name` (already lower-cased). */
export function readVariable(ex: Exchange, name: string): VariableValue {
  const getter = BUILTIN[name];
  if (getter) return getter(ex);
  if (name.startsWith('http_')) return joinedHeader(ex, name.slice(5).replace(/_/g, '-'));
  if (name.startsWith('arg_')) return argument(query(ex), name.slice(4));
  if (name.startsWith('cookie_')) return cookie(ex, name.slice(7));
  if (name.startsWith('sent_http_')) {
    const values = ex.response.headers.getAll(name.slice(10).replace(/_/g, '-'));
    return values.length === 0 ? null : values.join(', ');
  }
  return null;
}

export class VariableWriteError extends Error {}

/** Writes a changeable variable (Kong's upstream_* and $args); anything else is an error. */
export function writeVariable(ex: Exchange, name: string, value: string | null): void {
  switch (name) {
    case 'upstream_uri': ex.upstream.path = value ?? ''; return;
    case 'upstream_host': ex.upstream.hostHeader = value; return;
    case 'upstream_scheme':
      if (value !== 'http' && value !== 'https') throw new VariableWriteError(`invalid upstream_scheme: ${String(value)}`);
      ex.upstream.scheme = value;
      return;
    case 'args': case 'query_string': ex.upstream.rawQuery = value ?? ''; return;
    default: break;
  }
  if (name in BUILTIN || /^(?:http|arg|cookie|sent_http)_/.test(name)) throw new VariableWriteError(`variable "${name}" not changeable`);
  throw new VariableWriteError(
    `variable "${name}" not found for writing; maybe it is a built-in variable that is not changeable `
    + `or you forgot to use "set $${name} '';" in the config file to define it`,
  );
}
