// The upstream step (spec §2.8, decision 22): render custom values against the client request,
// apply the forward flags, set the custom values, then run upstream.by_lua.
import { andThen, type MaybePromise } from '../maybe-async';
import { isGrpc } from './build-params';
import type { CompiledUpstream } from './compiled';
import { decodeJson, encodeJson } from './lua-context';
import { escapeUri } from './query';
import { runSnippet, type RequestRun } from './request-run';
import { renderCustom } from './templates';

function queryName(part: string): string {
  const eq = part.indexOf('=');
  const raw = (eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Sets/removes args while every other arg keeps its exact bytes and position. */
export function editRawQuery(rawQuery: string, rendered: ReadonlyArray<[string, string | null]>): string {
  const names = new Set(rendered.map(([name]) => name));
  const kept = rawQuery === '' ? [] : rawQuery.split('&').filter((part) => part !== '' && !names.has(queryName(part)));
  for (const [name, value] of rendered) {
    if (value !== null) kept.push(`${escapeUri(name)}=${escapeUri(value)}`);
  }
  return kept.join('&');
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Returns false when upstream.by_lua ended the request. */
export function runUpstreamStep(run: RequestRun, upstream: CompiledUpstream): MaybePromise<boolean> {
  const { exchange, scope } = run;
  const config = upstream.config;
  const headers = upstream.headers ? renderCustom(upstream.headers, scope) : null;
  const query = upstream.query ? renderCustom(upstream.query, scope) : null;
  const body = upstream.body ? renderCustom(upstream.body, scope) : null;
  const target = exchange.upstream;

  if (!config.headers.forward) target.headers.clear();
  if (!config.query.forward) target.rawQuery = '';
  if (!config.body.forward) target.body = null;

  if (headers) {
    for (const [name, value] of headers) {
      if (value === null) target.headers.delete(name);
      else target.headers.set(name, value);
    }
  }
  if (query) target.rawQuery = editRawQuery(target.rawQuery, query);
  if (body && !isGrpc(exchange)) return andThen(customizeBody(run, body, headers), () => runLua(run, upstream));
  return runLua(run, upstream);
}

function runLua(run: RequestRun, upstream: CompiledUpstream): MaybePromise<boolean> {
  return upstream.lua ? runSnippet(run, upstream.lua) : true;
}

/** The body the upstream would get now (the client's is read when not buffered yet), null when none. */
function currentBody(run: RequestRun): MaybePromise<Uint8Array | null> {
  const { exchange } = run;
  const target = exchange.upstream;
  if (target.body === null) return null;
  if (target.body instanceof Uint8Array) return target.body;
  return exchange.request.bufferedBody ?? exchange.request.readBody();
}

function customizeBody(run: RequestRun, rendered: ReadonlyArray<[string, string | null]>,
  headers: ReadonlyArray<[string, string | null]> | null): MaybePromise<void> {
  return andThen(currentBody(run), (raw) => applyCustomBody(run, raw, rendered, headers));
}

function applyCustomBody(run: RequestRun, raw: Uint8Array | null, rendered: ReadonlyArray<[string, string | null]>,
  headers: ReadonlyArray<[string, string | null]> | null): void {
  const { exchange } = run;
  const target = exchange.upstream;
  let table: Record<string, unknown>;
  const empty = raw === null || raw.byteLength === 0;
  if (empty) {
    table = {};
  } else {
    const decoded = decodeJson(Buffer.from(raw!).toString('utf8'));
    if (!decoded || !isJsonObject(decoded.value)) {
      exchange.log.log('warn', 'request-callout: upstream.body: request body is not a JSON object; upstream.body.custom not applied');
      return;
    }
    table = decoded.value;
  }
  for (const [name, value] of rendered) {
    if (value === null) delete table[name];
    else table[name] = value;
  }
  target.body = Buffer.from(encodeJson(table));
  const customType = (headers ?? []).some(([name, value]) => name.toLowerCase() === 'content-type' && value !== null);
  if (!customType && (empty || !target.headers.has('content-type'))) target.headers.set('Content-Type', 'application/json');
}
