// `kong.ctx.shared.callouts.<name>`: held in JS for as long as Lua has not touched it. Lua's
// kong.ctx.shared, its callouts table and each entry are lazy tables over the plugin's JS objects
// (pdk/shared-fields.ts, EntrySource): Lua builds only the parts a snippet reads, and the plugin
// keeps writing into the JS objects at every level where Lua has not read or written the key.
// Where Lua holds a part, the plugin edits and reads it with raw table operations from JS (a
// coroutine and a helper chunk per operation cost more than the user's own snippets; the reads are
// in entry-fields.ts).
import { lua } from '../../lua/fengari';
import type { LuaState } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { LUA_NULL, pushString } from '../../lua/marshal';
import { lazySourceOf, materializeDeep, plainSequence, sourceChild, stillLazyOver } from '../../lua/lazy';
import { asTable, pushTable, rawKey, rawKeyedField, rawStringField, type RawTable } from '../../lua/raw-table';
import { pushRequestTable, SHARED_REF } from '../../pdk/ctx';
import type { PdkScope } from '../../pdk/scope';
import { CaseInsensitiveFields, heldSharedField, LazyValue, pushSharedValue } from '../../pdk/shared-fields';
import { bodyField, fieldValue, jsField, pushTableField } from './entry-fields';

/** Values of `params` read back after request.by_lua (raw Lua→JS conversions). */
export interface LuaParams {
  readonly cacheKey: unknown;
  readonly bypass: unknown;
  readonly found: boolean;
  readonly url: unknown;
  readonly method: unknown;
  readonly query: unknown;
  readonly headers: unknown;
  /** Bytes for a Lua string, a JS value for a table, null when absent. */
  readonly body: unknown;
  readonly ssl_verify: unknown;
  readonly ssl_server_name: unknown;
  readonly proxy: unknown;
  readonly timeouts: unknown;
  readonly decode: unknown;
}

export interface LuaResponse {
  readonly found: boolean;
  readonly cacheKey: unknown;
  readonly bypass: unknown;
  readonly status: unknown;
  readonly headers: unknown;
  readonly body: unknown;
}

/**
 * A callout's entry, as JS: the value of kong.ctx.shared.callouts[name] while that table is held
 * in JS, and afterwards the source of the entry's lazy Lua table. The plugin keeps writing into
 * this object as long as Lua has not touched the key it writes (the lazy table reads it then).
 */
interface EntrySource {
  request: EntryRequest;
  caching: LazyValue;
  response?: EntryResponse;
}

// The entry's own levels are class instances, not plain objects: direct snippets
// (snippet/values.ts) write only into plain data, and a write that replaced one of these levels
// would leave the plugin reading a shape it does not know.
class EntryNode implements EntrySource {
  declare response?: EntryResponse;
  constructor(readonly request: EntryRequest, readonly caching: LazyValue) {}
}

class EntryRequest {
  readonly params: LazyValue;
  readonly retries: Array<Record<string, unknown>>;
  n_retries: number;
  constructor(params: LazyValue) {
    this.params = params;        // the fields in the order Lua's pairs() has always seen them
    this.retries = plainSequence([]);
    this.n_retries = 0;
  }
}

type PendingCallouts = Record<string, LazyValue>;

/** readParams / readResponse when the entry (or the part read) is not there. */
const NO_PARAMS: LuaParams = Object.freeze({ found: false, cacheKey: null, bypass: null, url: null, method: null, query: null,
  headers: null, body: null, ssl_verify: null, ssl_server_name: null, proxy: null, timeouts: null, decode: null });
const NO_RESPONSE: LuaResponse = Object.freeze({ found: false, cacheKey: null, bypass: null, status: null, headers: null, body: null });

const CALLOUTS_KEY = rawKey('callouts');

/** A callout's answer as the plugin hands it over; `headers` builds the fields when first read. */
export interface CalloutResponseValue {
  readonly status: number;
  readonly headers?: () => Readonly<Record<string, unknown>>;
  readonly body?: unknown;
}

/** `response` of an entry as the context stores it. Never modified once made: it may be shared. */
export interface EntryResponse {
  readonly status: number;
  readonly headers?: CaseInsensitiveFields;
  readonly body?: unknown;
}

export function entryResponse(response: CalloutResponseValue): EntryResponse {
  return Object.freeze({
    status: response.status,
    headers: response.headers ? new CaseInsensitiveFields(response.headers) : undefined,
    body: response.body ?? undefined,
  });
}

function newCallouts(): PendingCallouts {
  return Object.create(null) as PendingCallouts;
}

/**
 * The JS callouts object when the plugin may write the entry `name` there: Lua has not touched
 * kong.ctx.shared.callouts, or it has but its table is still lazy over this object and `name` is
 * a key Lua has not read or written. null when Lua holds the entry (then it is edited in Lua), and
 * when there is no callouts object and `create` is false.
 */
function jsCallouts(scope: PdkScope, name: string, create: boolean): PendingCallouts | null {
  const held = heldSharedField(scope, 'callouts', create ? newCallouts : undefined);
  if (held) return held;
  const shared = scope.sharedTable;
  const ours = scope.sharedSource?.callouts;
  if (shared === null || ours === undefined) return null;
  const table = asTable(rawKeyedField(shared, CALLOUTS_KEY));
  return table && stillLazyOver(table, ours, name) ? ours as PendingCallouts : null;
}

function entrySourceOf(node: LazyValue | undefined): EntrySource | undefined {
  return node?.value as EntrySource | undefined;
}

/** The JS source of the lazy entry table at `idx` when Lua has not touched `key` of it yet. */
function untouchedEntry(L: LuaState, idx: number, key: string): EntrySource | null {
  const source = lazySourceOf(L, idx);
  return source && !source.done.has(key) ? source.value as unknown as EntrySource : null;
}

export class CalloutLuaContext {
  /** A thread of its own: the main thread's stack is slowed down by compiling (see fast-path.ts). */
  private readonly L: LuaState;

  private constructor(private readonly engine: LuaEngine) {
    this.L = lua.lua_newthread(engine.L);
    engine.ref(engine.L);
  }

  private static readonly byEngine = new WeakMap<LuaEngine, CalloutLuaContext>();

  static for(engine: LuaEngine): CalloutLuaContext {
    let ctx = CalloutLuaContext.byEngine.get(engine);
    if (!ctx) {
      ctx = new CalloutLuaContext(engine);
      CalloutLuaContext.byEngine.set(engine, ctx);
    }
    return ctx;
  }

  /**
   * Runs `work` with kong.ctx.shared.callouts[name] at stack index 1 (nil when absent or not a
   * table); `create` makes callouts a table first. The stack is emptied afterwards.
   */
  private withEntry<T>(scope: PdkScope, name: string, create: boolean, work: (L: LuaState, isTable: boolean) => T): T {
    const L = this.L;
    lua.lua_settop(L, 0);
    try {
      const found = this.existingEntry(scope, name, create);
      if (found) {
        pushTable(L, found);
        return work(L, true);
      }
      pushRequestTable(this.engine, L, scope, SHARED_REF);          // 1: shared
      if (!pushTableField(L, 1, 'callouts')) {                      // 2: callouts
        lua.lua_pop(L, 1);
        if (!create) { lua.lua_settop(L, 0); lua.lua_pushnil(L); return work(L, false); }
        lua.lua_createtable(L, 0, 4);
        pushString(L, 'callouts');
        lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, 1);
      }
      if (create) {
        lua.lua_replace(L, 1);                                        // 1: callouts
        return work(L, true);
      }
      const isTable = pushTableField(L, 2, name);                     // 3: entry
      lua.lua_replace(L, 1);
      lua.lua_settop(L, 1);
      return work(L, isTable);
    } finally {
      lua.lua_settop(L, 0);
    }
  }

  /** True once Lua code asked for kong.ctx.shared in this request (the table is Lua's from then on). */
  holdsShared(scope: PdkScope): boolean {
    return scope.sharedTable !== null;
  }

  /** True while no Lua code has read or written the entry of callout `name`: it is as the plugin made it. */
  entryUntouched(scope: PdkScope, name: string): boolean {
    return entrySourceOf(jsCallouts(scope, name, false)?.[name]) !== undefined;
  }

  /**
   * The entry table (callouts itself when `create`) when raw reads find it already built: the
   * usual case from the second step of a request on. null sends the caller through the API walk,
   * which also builds lazy levels and creates what is missing.
   */
  private existingEntry(scope: PdkScope, name: string, create: boolean): RawTable | null {
    const shared = scope.sharedTable;
    if (shared === null) return null;
    const callouts = asTable(rawKeyedField(shared, CALLOUTS_KEY));
    if (!callouts) return null;
    return create ? callouts : asTable(rawStringField(callouts, name));
  }

  // Writes go to the JS-held table while no Lua code has asked for kong.ctx.shared (no VM entry
  // at all for a config of plain templates), and into the Lua table afterwards.

  init(scope: PdkScope, name: string, params: unknown, caching: Readonly<Record<string, unknown>>): void {
    const entry = new LazyValue(new EntryNode(new EntryRequest(new LazyValue(params)), new LazyValue(caching)));
    const callouts = jsCallouts(scope, name, true);
    if (callouts) {
      callouts[name] = entry;
      return;
    }
    this.withEntry(scope, name, true, (L) => {
      pushString(L, name);
      pushSharedValue(L, entry);
      lua.lua_rawset(L, 1);
    });
  }

  addRetry(scope: PdkScope, name: string, reason: 'error' | 'code', err: string, httpCode: number | null): void {
    const retry = { reason, err, http_code: httpCode };
    const record = (request: EntrySource['request']): void => {
      request.retries.push(retry);
      request.n_retries++;
    };
    const callouts = jsCallouts(scope, name, false);
    if (callouts) {
      const entry = entrySourceOf(callouts[name]);
      if (entry) record(entry.request);
      return;
    }
    this.withEntry(scope, name, false, (L, isEntry) => {
      if (!isEntry) return;
      const untouched = untouchedEntry(L, 1, 'request');
      if (untouched) { record(untouched.request); return; }
      if (!pushTableField(L, 1, 'request')) return;                   // 2: request
      materializeDeep(L, 2);
      if (!pushTableField(L, 2, 'retries')) {                         // 3: retries
        lua.lua_pop(L, 1);
        lua.lua_createtable(L, 1, 0);
        pushString(L, 'retries');
        lua.lua_pushvalue(L, -2);
        lua.lua_rawset(L, 2);
      }
      pushSharedValue(L, retry);
      lua.lua_rawseti(L, 3, lua.lua_rawlen(L, 3) + 1);
      pushString(L, 'n_retries');
      lua.lua_rawget(L, 2);
      const count = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
      lua.lua_pop(L, 1);
      pushString(L, 'n_retries');
      lua.lua_pushnumber(L, count + 1);
      lua.lua_rawset(L, 2);
    });
  }

  /** Stores `response` (null: no response, e.g. continue after a transport error). */
  setResponse(scope: PdkScope, name: string, stored: EntryResponse | null): void {
    const callouts = jsCallouts(scope, name, false);
    if (callouts) {
      const entry = entrySourceOf(callouts[name]);
      if (entry) storeResponse(entry, stored);
      return;
    }
    this.withEntry(scope, name, false, (L, isEntry) => {
      if (!isEntry) return;
      const untouched = untouchedEntry(L, 1, 'response');
      if (untouched) { storeResponse(untouched, stored); return; }
      pushString(L, 'response');
      if (stored) pushSharedValue(L, stored);
      else lua.lua_pushnil(L);
      lua.lua_rawset(L, 1);
    });
  }

  /** The entry's params after request.by_lua (and the caching fields it may have set). */
  readParams(scope: PdkScope, name: string): LuaParams {
    const held = entrySourceOf(jsCallouts(scope, name, false)?.[name]);
    if (held) {
      const caching = held.caching.value as Readonly<Record<string, unknown>>;
      return paramsFromSource(held.request.params.value as Readonly<Record<string, unknown>>,
        { cacheKey: jsField(caching, 'cache_key'), bypass: jsField(caching, 'bypass') });
    }
    return this.withEntry(scope, name, false, (L, isEntry) => {
      const none = NO_PARAMS;
      if (!isEntry) return none;
      const caching = this.readCaching(L);
      // Parts Lua never looked into are still the plugin's JS values: read them there.
      const untouched = untouchedEntry(L, 1, 'request');
      if (untouched) return paramsFromSource(untouched.request.params.value as Readonly<Record<string, unknown>>, caching);
      const request = pushTableField(L, 1, 'request');               // 2: request
      if (!request) return { ...none, ...caching };
      const requestSource = lazySourceOf(L, 2);
      if (requestSource && !requestSource.done.has('params')) {
        const params = sourceChild(requestSource, 'params');
        const value = params instanceof LazyValue ? params.value : params;
        if (value === null || typeof value !== 'object') return { ...none, ...caching };
        return paramsFromSource(value as Readonly<Record<string, unknown>>, caching);
      }
      if (!pushTableField(L, 2, 'params')) return { ...none, ...caching };  // 3: params
      return {
        found: true,
        ...caching,
        url: fieldValue(L, 3, 'url'),
        method: fieldValue(L, 3, 'method'),
        query: fieldValue(L, 3, 'query'),
        headers: fieldValue(L, 3, 'headers'),
        body: bodyField(L, 3),
        ssl_verify: fieldValue(L, 3, 'ssl_verify'),
        ssl_server_name: fieldValue(L, 3, 'ssl_server_name'),
        proxy: fieldValue(L, 3, 'proxy'),
        timeouts: fieldValue(L, 3, 'timeouts'),
        decode: fieldValue(L, 3, 'decode'),
      };
    });
  }

  /** The entry's response after response.by_lua (and the caching fields it may have set). */
  readResponse(scope: PdkScope, name: string): LuaResponse {
    const held = entrySourceOf(jsCallouts(scope, name, false)?.[name]);
    if (held) {
      const caching = held.caching.value as Readonly<Record<string, unknown>>;
      const response = held.response as Readonly<Record<string, unknown>> | undefined;
      return { found: response !== undefined, cacheKey: jsField(caching, 'cache_key'), bypass: jsField(caching, 'bypass'),
        status: response ? jsField(response, 'status') : null, headers: response ? jsField(response, 'headers') : null,
        body: response ? jsField(response, 'body') : null };
    }
    return this.withEntry(scope, name, false, (L, isEntry) => {
      const none = NO_RESPONSE;
      if (!isEntry) return none;
      const caching = this.readCaching(L);
      if (!pushTableField(L, 1, 'response')) return { ...none, ...caching };   // 2: response
      return {
        found: true,
        ...caching,
        status: fieldValue(L, 2, 'status'),
        headers: fieldValue(L, 2, 'headers'),
        body: bodyField(L, 2),
      };
    });
  }

  /** cache_key and bypass of the entry at index 1's caching table; the stack is left as found. */
  private readCaching(L: LuaState): { cacheKey: unknown; bypass: unknown } {
    const untouched = untouchedEntry(L, 1, 'caching');
    if (untouched) {
      const caching = untouched.caching.value as Readonly<Record<string, unknown>>;
      return { cacheKey: jsField(caching, 'cache_key'), bypass: jsField(caching, 'bypass') };
    }
    const top = lua.lua_gettop(L);
    try {
      if (!pushTableField(L, 1, 'caching')) return { cacheKey: null, bypass: null };
      const at = lua.lua_gettop(L);
      return { cacheKey: fieldValue(L, at, 'cache_key'), bypass: fieldValue(L, at, 'bypass') };
    } finally {
      lua.lua_settop(L, top);
    }
  }
}

function storeResponse(entry: EntrySource, stored: EntryResponse | null): void {
  if (stored) entry.response = stored;
  else delete entry.response;
}

function paramsFromSource(params: Readonly<Record<string, unknown>>, caching: { cacheKey: unknown; bypass: unknown }): LuaParams {
  return {
    found: true,
    ...caching,
    url: jsField(params, 'url'),
    method: jsField(params, 'method'),
    query: jsField(params, 'query'),
    headers: jsField(params, 'headers'),
    body: jsField(params, 'body'),
    ssl_verify: jsField(params, 'ssl_verify'),
    ssl_server_name: jsField(params, 'ssl_server_name'),
    proxy: jsField(params, 'proxy'),
    timeouts: jsField(params, 'timeouts'),
    decode: jsField(params, 'decode'),
  };
}

/** JSON.parse where JSON null becomes cjson.null (LUA_NULL); undefined when not JSON. */
export function decodeJson(text: string): { value: unknown } | undefined {
  try {
    // A reviver makes JSON.parse several times slower; only texts that can hold a null need it.
    return { value: text.includes('null') ? JSON.parse(text, (_key, v: unknown) => (v === null ? LUA_NULL : v)) : JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** JSON text of a value read from Lua (cjson.null → null). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === LUA_NULL ? null : v)) ?? 'null';
}

