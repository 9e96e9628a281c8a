// Step 1 of a callout: its params from the config, the client request and the rendered templates.
import type { Exchange } from '../../pdk/exchange';
import type { CompiledCallout } from './compiled';
import { decodeJson } from './lua-context';
import { applyCustomHeaders, composeQuery, deleteHeader, forwardedHeaders, type CalloutParams, type HeaderTable } from './params';
import type { RequestRun } from './request-run';
import { renderCustom } from './templates';

export function isGrpc(exchange: Exchange): boolean {
  return (exchange.request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/grpc');
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

async function clientBody(exchange: Exchange): Promise<Uint8Array | null> {
  const body = exchange.request.bufferedBody ?? await exchange.request.readBody();
  return body.byteLength === 0 ? null : body;
}

export async function buildParams(run: RequestRun, callout: CompiledCallout): Promise<CalloutParams> {
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

  let body: unknown = null;
  const raw = config.body.forward ? await clientBody(exchange) : null;
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
    url,
    method: config.method,
    query,
    headers,
    body,
    decode: config.body.decode,
    ssl_verify: http.ssl_verify ?? false,
    ssl_server_name: http.ssl_server_name ?? null,
    proxy: http.proxy ?? null,
    timeouts: http.timeouts ?? null,
  };
}
