import { displayChunkName } from './chunk-name';

// Typed errors of the Lua engine. Messages follow LuaJIT's wording and carry the chunk name.

export class LuaError extends Error {
  constructor(message: string, readonly chunkName: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The source does not compile (LuaJIT dialect). `line` is 1-based. */
export class LuaSyntaxError extends LuaError {
  constructor(message: string, chunkName: string, readonly line: number | null, readonly column: number | null) {
    super(message, chunkName);
  }
}

/** A runtime error raised by the snippet (uncaught `error(...)`, nil index, bad argument...). */
export class LuaRuntimeError extends LuaError {
  constructor(message: string, chunkName: string, readonly traceback: string | null = null) {
    super(message, chunkName);
  }
}

/** The snippet used up its CPU time budget and was stopped (it cannot catch this). */
export class LuaTimeoutError extends LuaError {
  constructor(chunkName: string, readonly budgetMs: number) {
    super(`${displayChunkName(chunkName)}: execution time budget of ${budgetMs} ms exceeded`, chunkName);
  }
}

/** Lua is disabled by `untrusted_lua = off`. */
export class LuaDisabledError extends LuaError {
  constructor(chunkName: string) {
    super("loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'", chunkName);
  }
}
