// A PDK-equipped engine (kong + ngx + kong misc, installed the way src/pdk/index.ts does) and
// helpers for the ngx-* and misc-* specs. Real VM, in-memory exchanges.
import { LuaEngine } from '../../src/lua/engine';
import { installBuiltinModules } from '../../src/lua/modules';
import { installPdk } from '../../src/pdk';
import { chunkRunner, errorOf, makeExchange } from './support';
import type { ExchangeSpec, Runner, TestExchange } from './support';

export { makeExchange, errorOf };
export type { ExchangeSpec, TestExchange, Runner };

export function makeNgxEngine(): LuaEngine {
  const engine = new LuaEngine({ sandboxRequires: ['cjson', 'cjson.safe'] });
  installBuiltinModules(engine);
  installPdk(engine);
  engine.seal();
  return engine;
}

export interface NgxHarness {
  readonly engine: LuaEngine;
  readonly run: Runner;
  /** Runs `source` and returns its results (throws if the call was stopped). */
  values(source: string, exchange?: TestExchange): Promise<unknown[]>;
  /** The message of the error `source` raises. */
  error(source: string, exchange?: TestExchange): Promise<string>;
}

export function ngxHarness(): NgxHarness {
  const engine = makeNgxEngine();
  const run = chunkRunner(engine, 'ngx-spec');
  return {
    engine,
    run,
    async values(source, exchange) {
      const out = await run(source, exchange);
      if (out === 'stopped') throw new Error('call was stopped');
      return out;
    },
    error: (source, exchange) => errorOf(run, source, exchange),
  };
}

/** Lua helper prepended to sources that need to show binary strings: hex(s) → lower-case hex. */
export const HEX = 'local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end\n';
