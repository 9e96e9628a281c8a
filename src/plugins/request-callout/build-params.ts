// Step 1 of a callout: its params from the config, the client request and the rendered templates.
import type { Exchange } from '../../pdk/exchange';
import { andThen, type MaybePromise } from '../maybe-async';
import type { CompiledCallout } from './compiled';
import { decodeJson } from './lua-context';
import { applyCustomHeaders, composeQuery, deleteHeader, forwardedHeaders, type CalloutParams, type HeaderTable } from './params';
import type { RequestRun } from './request-run';
import { renderCustom, type RenderedCustom } from './templates';

export function isGrpc(exchange: Exchange): boolean {
  return (exchange.request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/grpc');
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The client body for a callout that forwards it: read once when not buffered yet; null when empty. */
function clientBody(exchange: Exchange): MaybePromise<Uint8Array | null> {
  return andThen(exchange.request.bufferedBody ?? exchange.request.readBody(), (body) => (body.byteLength === 0 ? null : body));
}

interface RenderedParts {
  readonly url: string;
  readonly query: CalloutParams['query'];
  readonly headers: HeaderTable;
  readonly bodyCustom: RenderedCustom | null;
}

/** The callout's params; waits only when body.forward needs a client body not read yet. */
export function buildParams(run: RequestRun, callout: CompiledCallout): MaybePromise<CalloutParams> {
  if (!callout.paramsAreStatic) return buildRequestParams(run, callout);
  // Nothing reads the client request here, so the result is the same every time. Never modified:
  // by_lua edits a Lua copy, and send reads only.
  return (callout.sharedParams ??= freezeParams(buildRequestParams(run, callout) as CalloutParams));
}

function freezeParams(params: CalloutParams): CalloutParams {
  Object.freeze(params.headers);
  if (params.query !== null && typeof params.query === 'object') Object.freeze(params.query);
  return Object.freeze(params);
}

function buildRequestParams(run: RequestRun, callout: CompiledCallout): MaybePromise<CalloutParams> {
  const { exchange, scope } = run;
  const config = callout.config.request;
  const url = callout.url.render(scope);
  const queryCustom = callout.query ? renderCustom(callout.query, scope) : null;
  const headersCustom = callout.headers ? renderCustom(callout.headers, scope) : null;
  const bodyCustom = callout.body ? renderCustom(callout.body, scope) : null;

  const query = config.query.forward || queryCustom
    ? composeQuery(url, config.query.forward ? exchange.request.rawQuery : null, queryCustom)
    : null;

  const headers: HeaderTable = config.headers.forward ? forwardedHeaders(exchange) : Object.create(null) as HeaderTable;
  if (headersCustom) applyCustomHeaders(headers, headersCustom);

  const parts: RenderedParts = { url, query, headers, bodyCustom };
  if (!config.body.forward) return assemble(run, callout, parts, null);
  return andThen(clientBody(exchange), (raw) => assemble(run, callout, parts, raw));
}

function assemble(run: RequestRun, callout: CompiledCallout, parts: RenderedParts, raw: Uint8Array | null): CalloutParams {
  const { exchange } = run;
  const config = callout.config.request;
  const { headers, bodyCustom } = parts;
  let body: unknown = null;
  if (bodyCustom && !isGrpc(exchange)) {
    const decoded = raw === null ? { value: {} } : decodeJson(Buffer.from(raw).toString('utf8'));
    if (decoded && isJsonObject(decoded.value)) {
      const table = decoded.value;
      for (const [name, value] of bodyCustom) {
        if (value === null) delete table[name];
        else table[name] = value;
      }
      body = table;
      if (!callout.customContentType) {
        deleteHeader(headers, 'content-type');
        headers['Content-Type'] = 'application/json';
      }
    } else {
      exchange.log.log('warn', `request-callout: ${callout.site}.request.body: client body is not a JSON object; body.custom not applied`);
      body = raw;
    }
  } else if (raw !== null && config.body.decode) {
    const decoded = decodeJson(Buffer.from(raw).toString('utf8'));
    if (decoded && typeof decoded.value === 'object') body = decoded.value;
    else {
      exchange.log.log('warn', `request-callout: ${callout.site}.request.body: client body is not JSON; sent undecoded`);
      body = raw;
    }
  } else {
    body = raw;
  }

  const http = config.http_opts;
  return {
    url: parts.url,
    method: config.method,
    query: parts.query,
    headers,
    body,
    decode: config.body.decode,
    ssl_verify: http.ssl_verify ?? false,
    ssl_server_name: http.ssl_server_name ?? null,
    proxy: http.proxy ?? null,
    timeouts: http.timeouts ?? null,
  };
}
