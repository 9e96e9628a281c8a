// The Lua engine: one long-lived fengari state per process. Snippets are compiled once into
// registry-held functions `function(_ENV, ...)`; a request only calls them, on a coroutine, with the
// environment as an argument (re-entrant: interleaved requests never share a mutable closure).
import { lua, lauxlib, limits, toLuaString } from './fengari';
import type { LuaState, LuaCFunction } from './fengari';
import { createLuaState, removeDebugLibrary } from './state';
import { BudgetHook } from './budget';
import { prepareLuaSource } from './syntax';
import { readShippedLua } from './paths';
import { LuaDisabledError, LuaRuntimeError, LuaSyntaxError, LuaTimeoutError } from './errors';
import { CallRunner } from './runner';
import type { CallOutcome, ResultReader, ArgsPusher } from './runner';

const NO_REF = -2;
/** Distinct snippets kept compiled; past this, new ones are compiled without being remembered. */
const COMPILE_CACHE_LIMIT = 50_000;

export type UntrustedLuaMode = 'off' | 'sandbox' | 'on';

export interface LuaEngineOptions {
  readonly mode: UntrustedLuaMode;
  /** Modules `require` may load in sandbox mode (untrusted_lua_sandbox_requires). */
  readonly sandboxRequires: readonly string[];
  /** Dotted global names exposed read-through in sandbox mode (untrusted_lua_sandbox_environment). */
  readonly sandboxEnvironment: readonly string[];
  /** CPU time one call may use, in milliseconds. */
  readonly timeBudgetMs: number;
  readonly maxStringBytes: number;
  readonly maxPatternSteps: number;
  /** Run by_lua snippets that stay within snippet/compile.ts's part of Lua as JS (direct_snippets). */
  readonly directSnippets: boolean;
}

export const DEFAULT_ENGINE_OPTIONS: LuaEngineOptions = {
  mode: 'sandbox',
  sandboxRequires: [],
  sandboxEnvironment: [],
  timeBudgetMs: 250,
  maxStringBytes: 64 * 1024 * 1024,
  maxPatternSteps: 5_000_000,
  directSnippets: true,
};

/** A compiled snippet: a registry reference to `function(_ENV, ...)`. */
export interface CompiledChunk {
  readonly ref: number;
  readonly chunkName: string;
}

/** A registry reference to an environment table. */
export interface LuaEnv {
  readonly ref: number;
}

/** Loads a built-in module for `require` (pushes the module value, returns 1). */
export type ModuleLoader = LuaCFunction;

export class LuaEngine {
  readonly L: LuaState;
  readonly options: LuaEngineOptions;
  private readonly budget = new BudgetHook();
  private readonly runner: CallRunner;
  private readonly modules = new Map<string, ModuleLoader>();
  private readonly loadedModules = new Map<string, number>();
  private baseRef = NO_REF;
  private chunkEnvMetaRef = NO_REF;
  private sealed = false;
  private readonly compiled = new Map<string, CompiledChunk>();

  constructor(options: Partial<LuaEngineOptions> = {}) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    limits.max_string_length = this.options.maxStringBytes;
    limits.max_pattern_steps = this.options.maxPatternSteps;
    this.L = createLuaState();
    this.runner = new CallRunner(this.L, this.budget, this.options.timeBudgetMs);
  }

  /** The opaque host value of the call that is running now (set by the caller of `call`). */
  get currentHost(): unknown {
    return this.runner.currentHost;
  }

  /** True when `L` runs the call's own code rather than a coroutine that code created. */
  isCallRoot(L: LuaState): boolean {
    return this.runner.isCallRoot(L);
  }

  /** performance.now() past which the running call is over its CPU budget; Infinity outside a call. */
  get currentDeadline(): number {
    return this.runner.currentDeadline;
  }

  /**
   * Has the budget hook look at the clock before the next instruction `L` runs. A host function
   * that finds the call over budget (time spent where the hook cannot see it) calls this, so the
   * call ends as any over-budget call does instead of running up to a thousand more instructions.
   */
  checkBudgetNow(L: LuaState): void {
    lua.lua_sethook(L, this.budget.hook, lua.LUA_MASKCOUNT, 1);
  }

  /** Registers a module that `require(name)` can load (cjson, bit, ...). Before `seal()`. */
  registerModule(name: string, loader: ModuleLoader): void {
    this.assertNotSealed();
    this.modules.set(name, loader);
  }

  /** Runs `build` with the real global table on top of the stack (for the PDK). Before `seal()`. */
  defineGlobals(build: (L: LuaState) => void): void {
    this.assertNotSealed();
    const L = this.L;
    lua.lua_pushglobaltable(L);
    const top = lua.lua_gettop(L);
    build(L);
    lua.lua_settop(L, top - 1);
  }

  /**
   * Freezes the globals and builds the base environment of the configured mode. After this,
   * chunks can be compiled and called. Idempotent.
   */
  seal(): void {
    if (this.sealed) return;
    const L = this.L;
    lua.lua_pushglobaltable(L);
    lua.lua_pushcfunction(L, this.requireModule);
    lua.lua_setfield(L, -2, toLuaString('require'));
    lua.lua_pop(L, 1);
    removeDebugLibrary(L);
    if (this.options.mode === 'sandbox') this.buildSandboxBase();
    else lua.lua_pushglobaltable(L);
    this.baseRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    // Shared metatable of chunk environments: reads fall through to the base.
    lua.lua_createtable(L, 0, 1);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.baseRef);
    lua.lua_setfield(L, -2, toLuaString('__index'));
    this.chunkEnvMetaRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.sealed = true;
  }

  private buildSandboxBase(): void {
    const L = this.L;
    const source = readShippedLua('sandbox.lua');
    if (lauxlib.luaL_loadbufferx(L, toLuaString(source), null, toLuaString('=luagate/sandbox.lua'), toLuaString('t')) !== lua.LUA_OK) {
      throw new Error(`luagate/sandbox.lua: ${lua.lua_tojsstring(L, -1)}`);
    }
    lua.lua_pushglobaltable(L);
    pushStringArray(L, this.options.sandboxRequires);
    pushStringArray(L, this.options.sandboxEnvironment);
    lua.lua_pushcfunction(L, this.requireModule);
    if (lua.lua_pcall(L, 4, 1, 0) !== lua.LUA_OK) throw new Error(`luagate/sandbox.lua: ${lua.lua_tojsstring(L, -1)}`);
  }

  /** `require` of the `on` mode and the loader behind the sandbox's allow-listed `require`. */
  private readonly requireModule: LuaCFunction = (L) => {
    const name = lua.lua_tojsstring(L, 1);
    if (name === null) return lauxlib.luaL_argerror(L, 1, toLuaString('string expected'));
    const cached = this.loadedModules.get(name);
    if (cached !== undefined) {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, cached);
      return 1;
    }
    const loader = this.modules.get(name);
    if (!loader) return lauxlib.luaL_error(L, toLuaString(`module '${name}' not found`));
    lua.lua_pushcfunction(L, loader);
    lua.lua_call(L, 0, 1);
    lua.lua_pushvalue(L, -1);
    this.loadedModules.set(name, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    return 1;
  };

  /**
   * Compiles a statement chunk (a by_lua value, a Lua file) once. Throws LuaSyntaxError, or
   * LuaDisabledError when untrusted_lua is off.
   */
  compileChunk(source: string, chunkName: string): CompiledChunk {
    // A compiled function is re-entrant (its environment is an argument), so plugin instances
    // with the same snippet share one; a reload recompiles only what changed.
    const key = chunkName + '\0' + source;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const prepared = prepareLuaSource(source, chunkName);
    // On one line with the first source line, so line numbers stay those of the source.
    const chunk = this.load(`return function(_ENV, ...) ${prepared}\nend`, chunkName);
    if (this.compiled.size < COMPILE_CACHE_LIMIT) this.compiled.set(key, chunk);
    return chunk;
  }

  /**
   * Compiles generated code whose chunk *returns* the function to call (templates build their
   * own prelude). The function receives the environment as its first argument.
   */
  compileFactory(source: string, chunkName: string): CompiledChunk {
    const key = '\u0001' + chunkName + '\0' + source;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const chunk = this.load(prepareLuaSource(source, chunkName), chunkName);
    if (this.compiled.size < COMPILE_CACHE_LIMIT) this.compiled.set(key, chunk);
    return chunk;
  }

  private load(source: string, chunkName: string): CompiledChunk {
    if (this.options.mode === 'off') throw new LuaDisabledError(chunkName);
    this.assertSealed();
    const L = this.L;
    const status = lauxlib.luaL_loadbufferx(L, toLuaString(source), null, toLuaString(chunkName), toLuaString('t'));
    if (status !== lua.LUA_OK) {
      const message = lua.lua_tojsstring(L, -1) ?? 'syntax error';
      lua.lua_pop(L, 1);
      throw new LuaSyntaxError(message, chunkName, null, null);
    }
    // The outer chunk only builds the function: run it in the base environment.
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.baseRef);
    lua.lua_setupvalue(L, -2, 1);
    if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK || !lua.lua_isfunction(L, -1)) {
      const message = lua.lua_tojsstring(L, -1) ?? 'chunk did not return a function';
      lua.lua_pop(L, 1);
      throw new LuaRuntimeError(message, chunkName);
    }
    return { ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX), chunkName };
  }

  /**
   * A new environment for one compiled by_lua chunk: its globals persist across calls (as on
   * Kong) and never reach the base or another chunk; `_G` is the environment itself.
   */
  createChunkEnv(): LuaEnv {
    this.assertSealed();
    const L = this.L;
    lua.lua_createtable(L, 0, 2);
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, -2, toLuaString('_G'));
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.chunkEnvMetaRef);
    lua.lua_setmetatable(L, -2);
    return { ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
  }

  /** Pushes the base environment (sandbox allow-list, or the globals in `on` mode). */
  pushBase(L: LuaState): void {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.baseRef);
  }

  /** Keeps the value on top of the stack in the registry (e.g. a custom environment). */
  ref(L: LuaState = this.L): number {
    return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  unref(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  /**
   * Calls a compiled chunk with `env` and the arguments `pushArgs` pushes. Returns synchronously
   * when the code never waited on the host, else a Promise. `host` is what host functions see as
   * `engine.currentHost` while this call runs.
   */
  call<T>(chunk: CompiledChunk, env: LuaEnv, host: unknown, read: ResultReader<T>, pushArgs?: ArgsPusher): CallOutcome<T> | Promise<CallOutcome<T>> {
    return this.runner.run(chunk, env.ref, host, read, pushArgs);
  }

  /**
   * From a host function: wait for `work`, then resume the calling snippet with what the
   * resolved pusher pushes. Must be the host function's return value.
   */
  suspend(L: LuaState, work: Promise<(L: LuaState) => number>): number {
    return this.runner.suspend(L, work);
  }

  /** From a host function: stop the running call for good (kong.response.exit). */
  stop(L: LuaState): number {
    return this.runner.stop(L);
  }

  private assertSealed(): void {
    if (!this.sealed) this.seal();
  }

  private assertNotSealed(): void {
    if (this.sealed) throw new Error('the Lua engine is sealed: globals and modules are fixed');
  }
}

function pushStringArray(L: LuaState, items: readonly string[]): void {
  lua.lua_createtable(L, items.length, 0);
  items.forEach((item, i) => {
    lua.lua_pushstring(L, toLuaString(item));
    lua.lua_rawseti(L, -2, i + 1);
  });
}

export { LuaRuntimeError, LuaTimeoutError, LuaSyntaxError, LuaDisabledError };
export type { CallOutcome, ResultReader, ArgsPusher };
