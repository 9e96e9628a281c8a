// Responses the gateway generates itself (errors, plugin short-circuits), with Kong's standard headers.
import type { ServerResponse } from 'node:http';
import type { ExitResponse, HeaderMap } from '../pdk/exchange';
import { errorBody, JSON_CONTENT_TYPE, type GatewayErrorResponse } from './errors';
import type { GatewayHeaderFlags } from './response-headers';
import { SERVER_TOKEN } from './version';

export interface GeneratedResponseContext {
  readonly requestId: string;
  readonly startTime: number;
  readonly flags: GatewayHeaderFlags;
  readonly workerHeader: string | null;
  readonly draining: boolean;
}

function gatewayHeaders(ctx: GeneratedResponseContext, headers: string[]): void {
  if (ctx.flags.server) headers.push('Server', SERVER_TOKEN);
  if (ctx.flags.responseLatency) headers.push('X-Kong-Response-Latency', String(Date.now() - ctx.startTime));
  if (ctx.flags.requestId) headers.push('X-Kong-Request-Id', ctx.requestId);
  if (ctx.workerHeader) headers.push('X-Luagate-Worker', ctx.workerHeader);
}

/** Returns the number of body bytes sent. */
function send(res: ServerResponse, status: number, headers: string[], body: Uint8Array | null, ctx: GeneratedResponseContext): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  if (ctx.draining) res.shouldKeepAlive = false;
  headers.push('Content-Length', String(body ? body.byteLength : 0));
  res.writeHead(status, headers);
  res.end(body ?? undefined);
  return body ? body.byteLength : 0;
}

export function sendGatewayError(res: ServerResponse, error: GatewayErrorResponse, ctx: GeneratedResponseContext,
  extra: ReadonlyArray<[string, string]> = []): number {
  const headers: string[] = ['Content-Type', JSON_CONTENT_TYPE];
  for (const [name, value] of extra) headers.push(name, value);
  gatewayHeaders(ctx, headers);
  return send(res, error.status, headers, errorBody(error), ctx);
}

const EXIT_SKIPPED = new Set(['content-length', 'transfer-encoding', 'connection']);

/** A plugin short-circuit: headers set earlier on the response, then the exit's own. */
export function sendExit(res: ServerResponse, exit: ExitResponse, earlier: HeaderMap, ctx: GeneratedResponseContext): number {
  const merged = new Map<string, Array<[string, string]>>();
  for (const [name, value] of earlier.entries()) pushField(merged, name, value, false);
  const replaced = new Set<string>();
  for (const [name, value] of exit.headers) {
    const key = name.toLowerCase();
    pushField(merged, name, value, !replaced.has(key));
    replaced.add(key);
  }
  const headers: string[] = [];
  for (const [key, fields] of merged) {
    if (EXIT_SKIPPED.has(key)) continue;
    for (const [name, value] of fields) headers.push(name, value);
  }
  gatewayHeaders(ctx, headers);
  return send(res, exit.status, headers, exit.body, ctx);
}

function pushField(merged: Map<string, Array<[string, string]>>, name: string, value: string, replace: boolean): void {
  const key = name.toLowerCase();
  const list = merged.get(key);
  if (!list || replace) merged.set(key, [[name, value]]);
  else list.push([name, value]);
}
