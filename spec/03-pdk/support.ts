// In-memory exchanges and a PDK-equipped engine for the template and PDK specs (real VM, no mocks).
import { LuaEngine } from '../../src/lua/engine';
import type { LuaEngineOptions, CallOutcome } from '../../src/lua/engine';
import { installBuiltinModules } from '../../src/lua/modules';
import { toValue } from '../../src/lua/marshal';
import { materializeDeep } from '../../src/lua/lazy';
import { installPdk, createScope, releaseScope } from '../../src/pdk';
import type { PdkScope } from '../../src/pdk';
import type { Exchange, LogLevel, RouteInfo } from '../../src/pdk/exchange';
import { OrderedHeaderMap } from '../../src/proxy/header-map';

export interface LogLine { level: LogLevel; message: string }

export interface ExchangeSpec {
  method?: string;
  path?: string;
  query?: string;
  headers?: Array<[string, string]>;
  body?: Uint8Array | string;
  bodyBuffered?: boolean;
  remoteAddress?: string;
  captures?: { unnamed: string[]; named: Record<string, string> } | null;
}

export interface TestExchange extends Exchange {
  readonly lines: LogLine[];
}

export function makeExchange(spec: ExchangeSpec = {}): TestExchange {
  const body = typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : spec.body ?? new Uint8Array(0);
  let buffered = spec.bodyBuffered === false ? undefined : body;
  const headers = OrderedHeaderMap.fromEntries(spec.headers ?? [['Host', 'example.test']]);
  const lines: LogLine[] = [];
  const route: RouteInfo | null = spec.captures === undefined ? null : {
    routeId: 'r1', serviceId: 's1', route: { name: 'r1' }, service: { name: 's1' }, uriCaptures: spec.captures,
  };
  return {
    lines,
    request: {
      id: 'req-1', startTime: 1_700_000_000_123, method: spec.method ?? 'GET', scheme: 'http', httpVersion: 1.1,
      host: 'example.test', port: 8000, rawPath: spec.path ?? '/r', rawQuery: spec.query ?? '', headers,
      remoteAddress: spec.remoteAddress ?? '127.0.0.1', remotePort: 40000,
      get bufferedBody() { return buffered; },
      readBody: async () => { buffered = body; return body; },
    },
    upstream: {
      method: spec.method ?? 'GET', scheme: 'http', host: 'upstream.test', port: 80, path: spec.path ?? '/r',
      rawQuery: spec.query ?? '', headers: OrderedHeaderMap.fromEntries(headers.entries()), hostHeader: null, body: undefined,
    },
    response: { status: null, headers: new OrderedHeaderMap(), exit: null },
    route,
    consumer: null,
    log: { log: (level, message) => { lines.push({ level, message }); }, enabled: () => true },
    ctx: new Map(),
  };
}

export function makeEngine(options: Partial<LuaEngineOptions> = {}, trusted = false): LuaEngine {
  const engine = new LuaEngine({ sandboxRequires: ['cjson', 'cjson.safe'], ...options });
  installBuiltinModules(engine);
  installPdk(engine, { isTrustedIp: () => trusted, coreOnly: true });
  engine.seal();
  return engine;
}

export interface Runner {
  (source: string, exchange?: Exchange, scope?: PdkScope): Promise<unknown[] | 'stopped'>;
}

/** Compiles `source` as a by_lua chunk and runs it for one request; returns its results as JS. */
export function chunkRunner(engine: LuaEngine, chunkName = 'request-callout'): Runner {
  return async (source, exchange = makeExchange(), given?: PdkScope) => {
    const scope = given ?? createScope(exchange);
    const chunk = engine.compileChunk(source, chunkName);
    const env = engine.createChunkEnv();
    try {
      const outcome: CallOutcome<unknown[]> = await engine.call(chunk, env, scope, (L, n) => {
        const out: unknown[] = [];
        // marshal.toValue reads tables raw: build lazy tables first (the hook the lead wires in).
        for (let i = 1; i <= n; i++) { materializeDeep(L, i); out.push(toValue(L, i)); }
        return out;
      });
      return outcome.kind === 'stopped' ? 'stopped' : outcome.value;
    } finally {
      engine.unref(env.ref);
      if (!given) releaseScope(engine, scope); // a caller-owned scope outlives the call
    }
  };
}

/** Runs a chunk expected to raise; returns the error message. */
export async function errorOf(run: Runner, source: string, exchange?: Exchange): Promise<string> {
  try {
    await run(source, exchange);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected an error from: ${source}`);
}
