// Runs compiled chunks on coroutines. A call is resumed synchronously; if a host function waits
// on the host (suspend), the call continues when the promise settles. Finished coroutines go back
// to a small pool: resuming a pooled thread is cheaper than creating one.
import { lua, lauxlib } from './fengari';
import type { LuaState } from './fengari';
import type { BudgetHook, BudgetedCall } from './budget';
import { LuaRuntimeError, LuaTimeoutError } from './errors';
import { toText } from './marshal';

export type ResultReader<T> = (L: LuaState, count: number) => T;
export type ArgsPusher = (L: LuaState) => number;

export type CallOutcome<T> =
  | { readonly kind: 'returned'; readonly value: T }
  /** A host function stopped the call (kong.response.exit); nothing after it ran. */
  | { readonly kind: 'stopped' };

interface ActiveCall extends BudgetedCall {
  readonly host: unknown;
  readonly chunkName: string;
  readonly threadRef: number;
  remainingMs: number;
  pending: Promise<(L: LuaState) => number> | null;
}

const POOL_LIMIT = 64;

export class CallRunner {
  private readonly pool: Array<{ thread: LuaState; ref: number }> = [];
  private active: ActiveCall | null = null;

  constructor(private readonly L: LuaState, private readonly budget: BudgetHook, private readonly budgetMs: number) {
    budget.install(L);
  }

  get currentHost(): unknown {
    return this.active?.host;
  }

  /** True when `L` is the coroutine the host resumed for the running call (not one the code made). */
  isCallRoot(L: LuaState): boolean {
    return this.active !== null && this.active.root === L;
  }

  /** performance.now() past which the running call is over budget; Infinity outside a call. */
  get currentDeadline(): number {
    return this.active?.deadline ?? Infinity;
  }

  run<T>(chunk: { ref: number; chunkName: string }, envRef: number, host: unknown, read: ResultReader<T>, pushArgs?: ArgsPusher): CallOutcome<T> | Promise<CallOutcome<T>> {
    const { thread, ref } = this.takeThread();
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, chunk.ref);
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, envRef);
    const nargs = 1 + (pushArgs ? pushArgs(thread) : 0);
    const call: ActiveCall = {
      root: thread, threadRef: ref, host, chunkName: chunk.chunkName, deadline: 0,
      remainingMs: this.budgetMs, timedOut: false, stopping: false, pending: null,
    };
    return this.step(call, nargs, read);
  }

  private step<T>(call: ActiveCall, nargs: number, read: ResultReader<T>): CallOutcome<T> | Promise<CallOutcome<T>> {
    const status = this.resume(call, nargs);
    if (status === lua.LUA_OK) {
      const thread = call.root;
      const value = read(thread, lua.lua_gettop(thread));
      lua.lua_settop(thread, 0);
      this.giveBack(call);
      return { kind: 'returned', value };
    }
    if (status !== lua.LUA_YIELD) {
      const error = this.errorOf(call);
      this.drop(call);
      throw error;
    }
    if (call.timedOut) {
      this.drop(call);
      throw new LuaTimeoutError(call.chunkName, this.budgetMs);
    }
    if (call.stopping || !call.pending) {
      // Stopped by the host, or the snippet yielded from its root (coroutine.yield at top level):
      // either way the call is over and the thread is not reused.
      this.drop(call);
      if (call.stopping) return { kind: 'stopped' };
      throw new LuaRuntimeError('attempt to yield from outside a coroutine', call.chunkName);
    }
    const pending = call.pending;
    call.pending = null;
    return pending.then(
      (push) => {
        lua.lua_settop(call.root, 0);
        return this.step(call, push(call.root), read);
      },
      (err: unknown) => {
        this.drop(call);
        throw err instanceof Error ? err : new LuaRuntimeError(String(err), call.chunkName);
      },
    );
  }

  private resume(call: ActiveCall, nargs: number): number {
    const previous = this.active;
    this.active = call;
    this.budget.active = call;
    const started = performance.now();
    call.deadline = started + call.remainingMs;
    let status: number = lua.LUA_ERRRUN;
    try {
      status = lua.lua_resume(call.root, this.L, nargs);
      return status;
    } finally {
      // Only a call that will be resumed again needs what is left of its budget.
      if (status === lua.LUA_YIELD) call.remainingMs -= performance.now() - started;
      this.active = previous;
      this.budget.active = previous;
    }
  }

  suspend(L: LuaState, work: Promise<(L: LuaState) => number>): number {
    const call = this.active;
    if (!call || L !== call.root) {
      // Only the coroutine the host resumes can wait; inside a snippet's own coroutine (or a
      // metamethod) this is the same error LuaJIT gives for yielding across a C call.
      work.catch(() => undefined);
      return lauxlib.luaL_error(L, 'attempt to yield across C-call boundary');
    }
    call.pending = work;
    return lua.lua_yield(L, 0);
  }

  stop(L: LuaState): number {
    const call = this.active;
    if (!call) return lauxlib.luaL_error(L, 'no request is running');
    call.stopping = true;
    // From a snippet's own coroutine the yield only returns to the snippet; the hook then stops
    // the root at its next instruction.
    if (L !== call.root) lua.lua_sethook(call.root, this.budget.hook, lua.LUA_MASKCOUNT, 1);
    if (lua.lua_isyieldable(L)) return lua.lua_yield(L, 0);
    lua.lua_sethook(L, this.budget.hook, lua.LUA_MASKCOUNT, 1);
    return lauxlib.luaL_error(L, 'request was terminated');
  }

  private errorOf(call: ActiveCall): Error {
    const L = call.root;
    const type = lua.lua_type(L, -1);
    let message: string;
    if (type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER) message = toText(L, -1) ?? '';
    else if (type === lua.LUA_TNIL) message = 'nil';
    else message = `(error object is a ${typeName(L, -1)} value)`;
    if (call.timedOut) return new LuaTimeoutError(call.chunkName, this.budgetMs);
    return new LuaRuntimeError(message, call.chunkName);
  }

  private takeThread(): { thread: LuaState; ref: number } {
    const pooled = this.pool.pop();
    if (pooled) return pooled;
    const thread = lua.lua_newthread(this.L);
    const ref = lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX);
    return { thread, ref };
  }

  private giveBack(call: ActiveCall): void {
    if (this.pool.length < POOL_LIMIT) this.pool.push({ thread: call.root, ref: call.threadRef });
    else lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, call.threadRef);
  }

  private drop(call: ActiveCall): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, call.threadRef);
  }
}

function typeName(L: LuaState, idx: number): string {
  return new TextDecoder().decode(lua.lua_typename(L, lua.lua_type(L, idx)));
}
