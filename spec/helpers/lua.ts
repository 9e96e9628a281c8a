// Runs Lua source on a real LuaEngine and returns what it returned, as JS values.
import { LuaEngine } from '../../src/lua/engine';
import type { LuaEngineOptions, CompiledChunk, LuaEnv } from '../../src/lua/engine';
import { installBuiltinModules } from '../../src/lua/modules';
import { toValue } from '../../src/lua/marshal';
import type { LuaState } from '../../src/lua/fengari';

export function readAll(L: LuaState, count: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; i <= count; i++) out.push(toValue(L, i));
  return out;
}

export class LuaHarness {
  readonly engine: LuaEngine;
  constructor(options: Partial<LuaEngineOptions> = {}, setup?: (engine: LuaEngine) => void) {
    this.engine = new LuaEngine(options);
    installBuiltinModules(this.engine);
    setup?.(this.engine);
    this.engine.seal();
  }

  compile(source: string, chunkName = 'spec'): { chunk: CompiledChunk; env: LuaEnv } {
    return { chunk: this.engine.compileChunk(source, chunkName), env: this.engine.createChunkEnv() };
  }

  /** Compiles and runs `source` once in a fresh chunk env; resolves with its return values. */
  async run(source: string, chunkName = 'spec'): Promise<unknown[]> {
    const { chunk, env } = this.compile(source, chunkName);
    return this.call(chunk, env);
  }

  async call(chunk: CompiledChunk, env: LuaEnv): Promise<unknown[]> {
    const outcome = await this.engine.call(chunk, env, null, readAll);
    if (outcome.kind !== 'returned') throw new Error('call was stopped');
    return outcome.value;
  }
}
