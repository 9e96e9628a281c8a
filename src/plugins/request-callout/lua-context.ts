// `kong.ctx.shared.callouts.<name>`: held in JS until Lua first asks for kong.ctx.shared, then in
// Lua, where small helper chunks (compiled once per engine) create an entry, append retries, store
// a response and read params/responses back. The helpers go through `kong.ctx.shared` like any
// snippet, so the PDK decides where the per-request table lives (and moves the JS-held one in).
import { lua } from '../../lua/fengari';
import type { LuaState } from '../../lua/fengari';
import type { CompiledChunk, LuaEngine, LuaEnv } from '../../lua/engine';
import { LUA_NULL, toBytes, toValue } from '../../lua/marshal';
import { materializeDeep } from '../../lua/lazy';
import { SHARED_REF } from '../../pdk/ctx';
import type { PdkScope } from '../../pdk/scope';
import { CaseInsensitiveFields, LazyValue, pushSharedValue, setPendingSharedField } from '../../pdk/shared-fields';

const ENTRY = 'local c = kong.ctx.shared.callouts; local e = type(c) == "table" and c[name] or nil; ' +
  'if type(e) ~= "table" then e = nil end ';

const SOURCES = {
  init: 'local name, params, caching = ... local shared = kong.ctx.shared; local c = shared.callouts; ' +
    'if type(c) ~= "table" then c = {}; shared.callouts = c end ' +
    'c[name] = { request = { params = params, retries = {}, n_retries = 0 }, caching = caching }',
  retry: 'local name, reason, err, code = ... ' + ENTRY +
    'local r = e and e.request; if type(r) ~= "table" then return end ' +
    'if type(r.retries) ~= "table" then r.retries = {} end ' +
    'r.retries[#r.retries + 1] = { reason = reason, err = err, http_code = code } ' +
    'r.n_retries = (tonumber(r.n_retries) or 0) + 1',
  response: 'local name, has, status, headers, body = ... ' + ENTRY +
    'if not e then return end ' +
    'if not has then e.response = nil; return end ' +
    'e.response = { status = status, headers = headers, body = body }',
  params: 'local name = ... ' + ENTRY +
    'if not e then return false end ' +
    'local cc = type(e.caching) == "table" and e.caching or {} ' +
    'local r = type(e.request) == "table" and e.request or {} local p = r.params ' +
    'if type(p) ~= "table" then return false, cc.cache_key, cc.bypass end ' +
    'return true, cc.cache_key, cc.bypass, p.url, p.method, p.query, p.headers, p.body, p.ssl_verify, ' +
    'p.ssl_server_name, p.proxy, p.timeouts, p.decode',
  readResponse: 'local name = ... ' + ENTRY +
    'if not e then return false end local cc = type(e.caching) == "table" and e.caching or {} ' +
    'local r = e.response if type(r) ~= "table" then return false, cc.cache_key, cc.bypass end ' +
    'return true, cc.cache_key, cc.bypass, r.status, r.headers, r.body',
} as const;

type HelperName = keyof typeof SOURCES;

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

/** A callout's entry while kong.ctx.shared.callouts is still held in JS (see pdk/shared-fields.ts). */
interface PendingEntry {
  request: { params: unknown; retries: Array<Record<string, unknown>>; n_retries: number };
  caching: LazyValue;
  response?: { status: number; headers?: CaseInsensitiveFields; body?: unknown };
}

type PendingCallouts = Record<string, PendingEntry>;

/** The JS-held callouts table of the request, or null once Lua holds kong.ctx.shared. */
function pendingCallouts(scope: PdkScope): PendingCallouts | null {
  if (scope.refs.has(SHARED_REF)) return null;
  const existing = scope.pendingShared?.get('callouts');
  if (existing) return existing.value as PendingCallouts;
  const callouts: PendingCallouts = Object.create(null) as PendingCallouts;
  setPendingSharedField(scope, 'callouts', { value: callouts });
  return callouts;
}

function readValue(L: LuaState, idx: number): unknown {
  if (lua.lua_type(L, idx) === lua.LUA_TTABLE) materializeDeep(L, idx);
  return toValue(L, idx);
}

function readBody(L: LuaState, idx: number): unknown {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? toBytes(L, idx) : readValue(L, idx);
}

const noResult = (): undefined => undefined;

export class CalloutLuaContext {
  private readonly chunks = new Map<HelperName, CompiledChunk>();
  private readonly env: LuaEnv;

  private constructor(private readonly engine: LuaEngine) {
    this.env = engine.createChunkEnv();
    for (const name of Object.keys(SOURCES) as HelperName[]) {
      this.chunks.set(name, engine.compileChunk(SOURCES[name], `=request-callout/${name}`));
    }
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

  private async run<T>(name: HelperName, scope: PdkScope, read: (L: LuaState, n: number) => T,
    args: readonly unknown[]): Promise<T> {
    const outcome = await this.engine.call(this.chunks.get(name)!, this.env, scope, read, (L) => {
      for (const arg of args) pushSharedValue(L, arg);
      return args.length;
    });
    if (outcome.kind !== 'returned') throw new Error(`request-callout context helper '${name}' was stopped`);
    return outcome.value;
  }

  // Writes go to the JS-held table while no Lua code has asked for kong.ctx.shared (no VM entry
  // at all for a config of plain templates), and through the helper chunks afterwards.

  init(scope: PdkScope, name: string, params: unknown, caching: Readonly<Record<string, unknown>>): Promise<void> | void {
    const callouts = pendingCallouts(scope);
    const cachingTable = new LazyValue(caching);
    if (callouts) {
      callouts[name] = { request: { params, retries: [], n_retries: 0 }, caching: cachingTable };
      return;
    }
    return this.run('init', scope, noResult, [name, params, cachingTable]);
  }

  addRetry(scope: PdkScope, name: string, reason: 'error' | 'code', err: string, httpCode: number | null): Promise<void> | void {
    const callouts = pendingCallouts(scope);
    if (callouts) {
      const request = callouts[name]?.request;
      if (request) {
        request.retries.push({ reason, err, http_code: httpCode });
        request.n_retries++;
      }
      return;
    }
    return this.run('retry', scope, noResult, [name, reason, err, httpCode]);
  }

  /** Stores `response` (null: no response, e.g. continue after a transport error). */
  setResponse(scope: PdkScope, name: string, response: { status: number; headers?: unknown; body?: unknown } | null): Promise<void> | void {
    const headers = response?.headers ? new CaseInsensitiveFields(response.headers as Record<string, unknown>) : undefined;
    const callouts = pendingCallouts(scope);
    if (callouts) {
      const entry = callouts[name];
      if (!entry) return;
      if (response) entry.response = { status: response.status, headers, body: response.body ?? undefined };
      else delete entry.response;
      return;
    }
    if (!response) return this.run('response', scope, noResult, [name, false]);
    return this.run('response', scope, noResult, [name, true, response.status, headers ?? null, response.body ?? null]);
  }

  readParams(scope: PdkScope, name: string): Promise<LuaParams> {
    return this.run('params', scope, (L) => ({
      found: lua.lua_toboolean(L, 1),
      cacheKey: toValue(L, 2),
      bypass: toValue(L, 3),
      url: toValue(L, 4),
      method: toValue(L, 5),
      query: readValue(L, 6),
      headers: readValue(L, 7),
      body: readBody(L, 8),
      ssl_verify: toValue(L, 9),
      ssl_server_name: toValue(L, 10),
      proxy: readValue(L, 11),
      timeouts: readValue(L, 12),
      decode: toValue(L, 13),
    }), [name]);
  }

  readResponse(scope: PdkScope, name: string): Promise<LuaResponse> {
    return this.run('readResponse', scope, (L) => ({
      found: lua.lua_toboolean(L, 1),
      cacheKey: toValue(L, 2),
      bypass: toValue(L, 3),
      status: toValue(L, 4),
      headers: readValue(L, 5),
      body: readBody(L, 6),
    }), [name]);
  }
}

/** JSON.parse where JSON null becomes cjson.null (LUA_NULL); undefined when not JSON. */
export function decodeJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text, (_key, v: unknown) => (v === null ? LUA_NULL : v)) };
  } catch {
    return undefined;
  }
}

/** JSON text of a value read from Lua (cjson.null → null). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === LUA_NULL ? null : v)) ?? 'null';
}

