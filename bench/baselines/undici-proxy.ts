/**
 * Minimal hand-written undici proxy: the baseline every luagate row is divided by.
 * One parametrised file, one scenario per process, doing exactly the work the matching
 * bench/configs/<scenario>.yaml asks of luagate:
 *   passthrough / body-1mb  route match, proxy (no plugin)
 *   callout                 GET /token, parse JSON, X-Callout-Token from the body + X-Client-User
 *                           from the client request, proxy
 *   callout-cached          the same, callout result kept in an in-process TTL cache (300 s)
 *   chained                 3 sequential callouts, each using the previous answer, plus the
 *                           small edits the by_lua snippets make, then X-Tenant / X-Chain, proxy
 * Usage: node undici-proxy.js --scenario S --port P --upstream-port U --callout-port C [--processes N]
 */
import cluster from 'node:cluster';
import * as http from 'node:http';
import { Pool } from 'undici';
import { exitOnSignals, readFlag, requireFlag, requirePort } from '../backends/args';
import { CalloutError, JsonObject, TtlCache, calloutJson, field } from './callout-client';
import { HeaderEdits, ProxyTarget, proxy, sendJson, upstreamPath } from './proxy-core';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, path: string, startedAt: number) => Promise<void> | void;

interface Pools {
  readonly target: ProxyTarget;
  readonly callout: Pool;
}

const POOL_OPTIONS = { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 } as const;
const CACHE_TTL_MS = 300_000;

function clientUser(req: http.IncomingMessage): string {
  const value = req.headers['x-user'];
  return typeof value === 'string' ? value : '';
}

function cacheKey(method: string, path: string, headers: Record<string, string>): string {
  let key = `${method} ${path}`;
  for (const name of Object.keys(headers).sort()) key += `\n${name}:${headers[name]}`;
  return key;
}

function calloutHandler(pools: Pools, cache: TtlCache<JsonObject> | null): Handler {
  return async (req, res, path, startedAt) => {
    const headers = { 'user-agent': 'luagate-bench-baseline' };
    let token: JsonObject | undefined;
    const key = cache === null ? '' : cacheKey('GET', '/token', headers);
    const now = Date.now();
    if (cache !== null) token = cache.get(key, now);
    if (token === undefined) {
      token = await calloutJson(pools.callout, '/token', headers);
      if (cache !== null) cache.set(key, token, now);
    }
    const edits: HeaderEdits = [
      ['x-callout-token', field(token, 'token')],
      ['x-client-user', clientUser(req)],
    ];
    proxy(req, res, pools.target, path, edits, startedAt);
  };
}

function chainedHandler(pools: Pools): Handler {
  return async (req, res, path, startedAt) => {
    const first = await calloutJson(pools.callout, '/step1', { 'x-req-user': clientUser(req) });
    const second = await calloutJson(pools.callout, `/step2?id=${encodeURIComponent(field(first, 'id'))}`);
    second.plan = field(second, 'plan').toUpperCase();
    const third = await calloutJson(pools.callout, `/step3?id=${encodeURIComponent(field(second, 'id'))}`, {
      'x-plan': field(second, 'plan'),
    });
    const edits: HeaderEdits = [
      ['x-tenant', field(first, 'tenant')],
      ['x-chain', field(third, 'token')],
    ];
    proxy(req, res, pools.target, path, edits, startedAt);
  };
}

export const SCENARIO_ROUTES: Readonly<Record<string, string>> = {
  passthrough: '/pass',
  'body-1mb': '/upload',
  callout: '/callout',
  'callout-cached': '/cached',
  chained: '/chained',
};

function handlerFor(scenario: string, pools: Pools): Handler {
  switch (scenario) {
    case 'passthrough':
    case 'body-1mb':
      return (req, res, path, startedAt) => proxy(req, res, pools.target, path, [], startedAt);
    case 'callout':
      return calloutHandler(pools, null);
    case 'callout-cached':
      return calloutHandler(pools, new TtlCache<JsonObject>(CACHE_TTL_MS));
    case 'chained':
      return chainedHandler(pools);
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

function serve(argv: readonly string[]): void {
  const scenario = requireFlag(argv, 'scenario');
  const port = requirePort(argv, 'port');
  const upstreamPort = requirePort(argv, 'upstream-port');
  const calloutPort = requirePort(argv, 'callout-port');
  const routePrefix = SCENARIO_ROUTES[scenario];
  if (routePrefix === undefined) throw new Error(`unknown scenario ${scenario}`);
  const pools: Pools = {
    target: {
      pool: new Pool(`http://127.0.0.1:${upstreamPort}`, POOL_OPTIONS),
      hostHeader: `127.0.0.1:${upstreamPort}`,
      servicePath: '/echo',
      routePrefix,
    },
    callout: new Pool(`http://127.0.0.1:${calloutPort}`, POOL_OPTIONS),
  };
  const handle = handlerFor(scenario, pools);
  const server = http.createServer((req, res) => {
    const startedAt = Date.now();
    const path = upstreamPath(req.url ?? '/', pools.target);
    if (path === null) {
      req.resume();
      sendJson(res, 404, 'no Route matched with those values');
      return;
    }
    const pending = handle(req, res, path, startedAt);
    if (pending instanceof Promise) {
      pending.catch((err: unknown) => {
        req.resume();
        if (err instanceof CalloutError) sendJson(res, 400, 'service callout error');
        else sendJson(res, 500, 'An unexpected error occurred');
      });
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
  exitOnSignals(() => server.close());
}

function main(): void {
  const processes = Number(readFlag(process.argv, 'processes') ?? '1');
  if (processes > 1 && cluster.isPrimary) {
    for (let i = 0; i < processes; i++) cluster.fork();
    exitOnSignals(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    });
    return;
  }
  serve(process.argv);
}

main();
