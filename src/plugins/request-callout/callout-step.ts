// One callout for one request (spec §2.2 step 3): params, context entry, request.by_lua, cache
// lookup, send with the error policy, store, response.by_lua, cache store.
import { defaultCalloutCacheKey, userCalloutCacheKey, type CachedEntry, type JsonValue } from '../../cache';
import { LUA_NULL } from '../../lua/marshal';
import { andThen, type MaybePromise } from '../maybe-async';
import { buildParams } from './build-params';
import type { CompiledCallout } from './compiled';
import type { CalloutConfig } from './config';
import { CalloutUrlError } from './errors';
import type { Dispatcher } from 'undici';
import { sendCallout, type CalloutHttpRequest, type CalloutHttpResult, type HeaderFields } from './http-client';
import { LazyValue } from '../../pdk/shared-fields';
import { decodeJson, encodeJson, entryResponse, type EntryResponse } from './lua-context';
import { paramsFromLua } from './lua-params';
import { parseCalloutUrl, partsOf, toWireRequest, type CalloutParams } from './params';
import { parseQuery } from './query';
import { exitWithError, runSnippet, type RequestRun } from './request-run';

/** A callout response as stored in the context (decision 13 for bodies). */
interface StoredResponse {
  readonly status: number;
  /** The header fields (parsed on first call for a fresh answer). */
  readonly headers?: () => HeaderFields;
  /** Raw bytes, or the decoded JSON value (JSON null as LUA_NULL). */
  readonly body?: unknown;
}

function storedFrom(run: RequestRun, callout: CompiledCallout, result: Extract<CalloutHttpResult, { ok: true }>): StoredResponse {
  const config = callout.config.response;
  let body: unknown;
  if (config.body.store) {
    body = result.body;
    if (config.body.decode) {
      const decoded = decodeJson(result.body.toString('utf8'));
      if (decoded) body = decoded.value;
      else run.exchange.log.log('warn', `request-callout: callout ${callout.config.name}: response body is not JSON; stored undecoded`);
    }
  }
  return {
    status: result.status,
    ...(config.headers.store ? { headers: result.headers } : {}),
    ...(config.body.store ? { body } : {}),
  };
}

function toLuaResponse(response: StoredResponse): EntryResponse {
  const body = response.body;
  return entryResponse({
    status: response.status,
    headers: response.headers,
    body: body !== null && typeof body === 'object' && !(body instanceof Uint8Array) && body !== LUA_NULL ? new LazyValue(body) : body,
  });
}

function constantFields(fields: HeaderFields): () => HeaderFields {
  return () => fields;
}

/** Plain JSON for the cache (cjson.null → null). */
function jsonOf(value: unknown): JsonValue {
  return JSON.parse(encodeJson(value)) as JsonValue;
}

function toCached(response: StoredResponse): CachedEntry {
  const entry: CachedEntry = { status: response.status };
  if (response.headers) entry.headers = response.headers();
  if (response.body !== undefined && response.body !== null) {
    entry.body = response.body instanceof Uint8Array ? response.body : jsonOf(response.body);
  }
  return entry;
}

/** A copy of a cached JSON value with its nulls as cjson.null (containers without nulls are shared). */
function withLuaNulls(value: unknown, depth = 0): unknown {
  if (value === null) return LUA_NULL;
  if (typeof value !== 'object' || value instanceof Uint8Array || depth > 1000) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((item, i) => {
      const restored = withLuaNulls(item, depth + 1);
      if (restored !== item) (out ??= value.slice())[i] = restored;
    });
    return out ?? value;
  }
  const container = value as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(container)) {
    const restored = withLuaNulls(container[key], depth + 1);
    if (restored === container[key]) continue;
    out ??= { ...container };
    // JSON.parse makes "__proto__" an own key; plain assignment would set the prototype instead.
    Object.defineProperty(out, key, { value: restored, enumerable: true, writable: true, configurable: true });
  }
  return out ?? value;
}

// The memory cache hands out one frozen entry per stored value: its conversion is done once (the
// context never modifies what it is given).
const convertedEntries = new WeakMap<CachedEntry, EntryResponse>();

/** A cache hit as the context stores it. */
function contextResponseOf(entry: CachedEntry): EntryResponse {
  const known = convertedEntries.get(entry);
  if (known) return known;
  const context = toLuaResponse(fromCached(entry));
  if (Object.isFrozen(entry)) convertedEntries.set(entry, context);
  return context;
}

/** JSON null back to cjson.null after a cache round trip. */
function fromCached(entry: CachedEntry): StoredResponse {
  let body: unknown = entry.body;
  if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array)) {
    body = withLuaNulls(body);
  } else if (typeof body === 'string') {
    body = Buffer.from(body, 'latin1');
  }
  const headers = entry.headers;
  return { status: entry.status, ...(headers ? { headers: constantFields(headers) } : {}), ...(body !== undefined ? { body } : {}) };
}

const STATIC_KEYS_MAX = 4096;

function cacheKeyOf(run: RequestRun, callout: CompiledCallout, params: CalloutParams, userKey: unknown): string {
  if (typeof userKey === 'string' && userKey !== '') return userCalloutCacheKey(userKey);
  if (typeof userKey === 'number') return userCalloutCacheKey(String(userKey));
  const memo = callout.staticKeys;
  if (memo === null) return defaultKeyOf(run, callout, params);
  // Route ids hold no newline: a request without a consumer uses the (constant) route id as it is.
  const routeId = run.exchange.route?.routeId ?? '';
  const consumerId = run.exchange.consumer?.id as string | undefined;
  const slot = consumerId === undefined ? routeId : `${routeId}\n${consumerId}`;
  let key = memo.get(slot);
  if (key === undefined) {
    key = defaultKeyOf(run, callout, params);
    if (memo.size >= STATIC_KEYS_MAX) memo.clear();
    memo.set(slot, key);
  }
  return key;
}

function defaultKeyOf(run: RequestRun, callout: CompiledCallout, params: CalloutParams): string {
  const body = params.body;
  return defaultCalloutCacheKey({
    routeId: run.exchange.route?.routeId,
    pluginId: run.shared.pluginId,
    consumerId: (run.exchange.consumer?.id as string | undefined) ?? null,
    consumerGroups: null,
    calloutName: callout.config.name,
    method: params.method,
    url: params.url,
    query: typeof params.query === 'string' ? parseQuery(params.query) : params.query,
    headers: params.headers,
    body: body === null || body === undefined ? undefined
      : body instanceof Uint8Array || typeof body === 'string' ? body : jsonOf(body),
  });
}

/** `started`: performance.now() when the attempt was sent (the latency is only computed for a line written). */
function logAttempt(run: RequestRun, callout: CompiledCallout, params: CalloutParams, url: string,
  result: CalloutHttpResult, started: number): void {
  const name = callout.config.name;
  const log = run.exchange.log;
  if (result.ok) {
    if (!log.enabled('info')) return;
    const latency = Math.round(performance.now() - started);
    log.log('info', `callout ${name} ${params.method} ${url} status=${result.status} latency=${latency}ms`,
      { callout: name, method: params.method, url, status: result.status, latency_ms: latency });
  } else {
    const latency = Math.round(performance.now() - started);
    log.log('warn', `callout ${name} ${params.method} ${url} error="${result.error}" latency=${latency}ms`,
      { callout: name, method: params.method, url, error: result.error, latency_ms: latency });
  }
}

/** by_lua left the connection options as configured (the usual case): the config's dispatcher applies. */
function sameHttpOptions(params: CalloutParams, http: CalloutConfig['request']['http_opts']): boolean {
  return params.ssl_verify === (http.ssl_verify ?? false) && params.ssl_server_name === (http.ssl_server_name ?? null)
    && params.proxy === (http.proxy ?? null) && params.timeouts === (http.timeouts ?? null);
}

type SendOutcome =
  | { readonly kind: 'success'; readonly response: StoredResponse }
  | { readonly kind: 'continue'; readonly response: StoredResponse | null }
  | { readonly kind: 'failed'; readonly response: StoredResponse | null };

/** Where a callout that had to wait on the network reports: whether the request goes on, or the error. */
export interface StepReport {
  resume(ok: boolean): void;
  fail(error: unknown): void;
}

/** runCallout's answer when it will report through its StepReport instead. */
export const REPORTS_LATER = Symbol('reports later');

/**
 * One callout sent under its error policy (retries, continue, fail), then stored and handed to
 * response.by_lua (afterSend). Each attempt's answer is handled in undici's callback; `report`
 * gets the result, or the error that broke the handling. No promise unless a later part waits.
 */
class PolicySend {
  private readonly wire: CalloutHttpRequest;
  private readonly dispatcher: Dispatcher;
  private readonly attempts: number;
  private readonly params: CalloutParams;
  private attempt = 0;
  private started = 0;

  constructor(private readonly run: RequestRun, private readonly callout: CompiledCallout, private readonly prepared: PreparedCallout,
    private readonly lookedUpKey: string | null, private readonly report: StepReport) {
    const params = prepared.params;
    const parsed = prepared.parsed;
    const paramsFromConfig = prepared.fromConfig;
    this.params = params;
    this.wire = toWireRequest(params, parsed);
    const dispatchers = run.shared.dispatchers;
    const http = callout.config.request.http_opts;
    this.dispatcher = paramsFromConfig || sameHttpOptions(params, http)
      ? dispatchers.getForConfig(partsOf(parsed).protocol, http, params)
      : dispatchers.get(partsOf(parsed).protocol, params);
    const policy = callout.config.request.error;
    this.attempts = policy.on_error === 'retry' ? 1 + Math.max(0, policy.retries) : 1;
  }

  start(): void {
    this.attempt++;
    this.started = performance.now();
    sendCallout(this.dispatcher, this.wire, this.params.timeouts, this.settle);
  }

  private readonly settle = (result: CalloutHttpResult): void => {
    const report = this.report;
    let next: MaybePromise<boolean>;
    try {
      const outcome = this.outcomeOf(result);
      if (outcome === null) return;
      next = afterSend(this.run, this.callout, this.prepared, this.lookedUpKey, outcome);
    } catch (error) {
      report.fail(error);
      return;
    }
    if (next instanceof Promise) next.then((ok) => report.resume(ok), (error: unknown) => report.fail(error));
    else report.resume(next);
  };

  /** The outcome of an attempt, or null when another attempt was started. */
  private outcomeOf(result: CalloutHttpResult): SendOutcome | null {
    const { run, callout } = this;
    logAttempt(run, callout, this.params, this.wire.href, result, this.started);
    const failed = !result.ok || callout.errorStatuses.has(result.status);
    if (!failed) return { kind: 'success', response: storedFrom(run, callout, result as Extract<CalloutHttpResult, { ok: true }>) };
    const response = result.ok ? storedFrom(run, callout, result) : null;
    if (this.attempt < this.attempts) {
      run.shared.luaContext?.addRetry(run.scope, callout.config.name, result.ok ? 'code' : 'error',
        result.ok ? `status ${result.status} is listed in http_statuses` : result.error, result.ok ? result.status : null);
      this.start();
      return null;
    }
    return callout.config.request.error.on_error === 'continue' ? { kind: 'continue', response } : { kind: 'failed', response };
  }
}

/** A callout's request as it will be sent: after request.by_lua, before the cache lookup. */
interface PreparedCallout {
  readonly params: CalloutParams;
  readonly parsed: URL;
  /** The URL `parsed` was made from (a direct snippet edits `params` in place). */
  readonly url: string;
  /** caching.cache_key as request.by_lua left it (null when no snippet ran). */
  readonly userKey: unknown;
  readonly bypass: boolean;
  /** The params are the configured ones (no snippet could have changed them). */
  readonly fromConfig: boolean;
}

type StepResult = MaybePromise<boolean> | typeof REPORTS_LATER;

/**
 * Runs one callout; false when the request's access work is over (exit set). Finishes
 * synchronously up to a cache hit when nothing on the way waits. A callout that goes to the
 * network returns REPORTS_LATER and reports through `report` (no promise per step; it may report
 * before returning, when the send fails at once); a promise when another part waits.
 */
export function runCallout(run: RequestRun, callout: CompiledCallout, report: StepReport): StepResult {
  const params = buildParams(run, callout);
  // No closure on the usual path: params are ready unless a client body has to be read first.
  return params instanceof Promise ? params.then((ready) => awaited((own) => withParams(run, callout, ready, own)))
    : withParams(run, callout, params, report);
}

/** A step given a report of its own, as a promise: for the paths that wait on one anyway. */
function awaited(step: (report: StepReport) => StepResult): Promise<boolean> {
  return new Promise<boolean>((resume, fail) => {
    const result = step({ resume, fail });
    if (result !== REPORTS_LATER) resume(result);
  });
}

/** runCallout as a promise (parallel mode waits on one per callout); a throw becomes its rejection. */
export function runCalloutAwaited(run: RequestRun, callout: CompiledCallout): Promise<boolean> {
  return awaited((report) => runCallout(run, callout, report));
}

function withParams(run: RequestRun, callout: CompiledCallout, params: CalloutParams, report: StepReport): StepResult {
  const parsed = parseCalloutUrl(params.url);
  if (typeof parsed === 'string') throw new CalloutUrlError(`${callout.site}.request.url`, params.url, parsed);
  const name = callout.config.name;
  run.shared.luaContext?.init(run.scope, name, params, run.shared.caching[callout.index]);
  const configured: PreparedCallout = { params, parsed, url: params.url, userKey: null, bypass: callout.config.cache.bypass, fromConfig: true };
  if (!callout.requestLua) return lookup(run, callout, configured, report);
  const ok = runSnippet(run, callout.requestLua);
  if (ok instanceof Promise) return ok.then((goOn) => (goOn ? awaited((own) => lookup(run, callout, afterRequestLua(run, callout, configured), own)) : false));
  return ok ? lookup(run, callout, afterRequestLua(run, callout, configured), report) : false;
}

/** The params request.by_lua left in the context, and its caching fields. */
function afterRequestLua(run: RequestRun, callout: CompiledCallout, configured: PreparedCallout): PreparedCallout {
  const ctx = run.shared.luaContext!;
  // A snippet reaches the params only through kong.ctx.shared.callouts.<name>: if it never read
  // that entry, they are as configured — unless a direct snippet edited them in place.
  const scope = run.scope;
  if (!scope.directEdits && (!ctx.holdsShared(scope) || ctx.entryUntouched(scope, callout.config.name))) return configured;
  const { params, parsed } = configured;
  const fromLua = ctx.readParams(scope, callout.config.name);
  const edited = paramsFromLua(fromLua, params);
  let target = parsed;
  if (edited.url !== configured.url) {
    const reparsed = parseCalloutUrl(edited.url);
    if (typeof reparsed === 'string') throw new CalloutUrlError(`${callout.site}.request.params.url`, edited.url, reparsed);
    target = reparsed;
  }
  return { params: edited, parsed: target, url: edited.url, userKey: fromLua.cacheKey, bypass: fromLua.bypass === true, fromConfig: false };
}

function lookup(run: RequestRun, callout: CompiledCallout, prepared: PreparedCallout, report: StepReport): StepResult {
  const cache = run.shared.cache && !prepared.bypass ? run.shared.cache : undefined;
  const key = cache ? cacheKeyOf(run, callout, prepared.params, prepared.userKey) : null;
  if (!cache || !key) return send(run, callout, prepared, key, report);
  const found = cache.get(key);
  if (found instanceof Promise) return found.then((hit) => (hit ? servedFromCache(run, callout, hit) : awaited((own) => send(run, callout, prepared, key, own))));
  return found ? servedFromCache(run, callout, found) : send(run, callout, prepared, key, report);
}

function servedFromCache(run: RequestRun, callout: CompiledCallout, hit: CachedEntry): true {
  const name = callout.config.name;
  if (run.exchange.log.enabled('debug')) run.exchange.log.log('debug', `callout ${name} served from cache`, { callout: name, cache: 'hit' });
  run.shared.luaContext?.setResponse(run.scope, name, contextResponseOf(hit));
  return true;
}

/** Sends the callout; the result (or the error) goes to `report`. */
function send(run: RequestRun, callout: CompiledCallout, prepared: PreparedCallout, lookedUpKey: string | null,
  report: StepReport): typeof REPORTS_LATER {
  new PolicySend(run, callout, prepared, lookedUpKey, report).start();
  return REPORTS_LATER;
}

/** The answer stored in the context, response.by_lua, then the cache store. */
function afterSend(run: RequestRun, callout: CompiledCallout, prepared: PreparedCallout, key: string | null,
  outcome: SendOutcome): MaybePromise<boolean> {
  const response = outcome.response;
  run.shared.luaContext?.setResponse(run.scope, callout.config.name, response ? toLuaResponse(response) : null);
  if (outcome.kind === 'failed') {
    const code = callout.config.request.error.error_response_code;
    exitWithError(run, code, callout.errorMessage.render(run.scope));
    return false;
  }
  if (!callout.responseLua) return store(run, callout, prepared, key, outcome);
  return andThen(runSnippet(run, callout.responseLua), (ok) => (ok ? store(run, callout, prepared, key, outcome) : false));
}

/** Caches a successful answer (as response.by_lua left it, under the key it left). */
function store(run: RequestRun, callout: CompiledCallout, prepared: PreparedCallout, lookedUpKey: string | null,
  outcome: SendOutcome): MaybePromise<boolean> {
  const shared = run.shared;
  if (outcome.kind !== 'success' || !shared.cache) return true;
  const ctx = shared.luaContext;
  const { params, userKey, bypass } = prepared;
  let response: StoredResponse = outcome.response;
  let key = lookedUpKey;
  // Without kong.ctx.shared in Lua's hands no snippet could change the response or its caching fields.
  if ((callout.responseLua || callout.requestLua) && ctx!.holdsShared(run.scope) && !ctx!.entryUntouched(run.scope, callout.config.name)) {
    const back = ctx!.readResponse(run.scope, callout.config.name);
    if (back.bypass === true) return true;
    if (callout.responseLua) {
      if (!back.found || typeof back.status !== 'number') return true;
      response = {
        status: back.status,
        ...(back.headers && typeof back.headers === 'object' ? { headers: constantFields(back.headers as HeaderFields) } : {}),
        ...(back.body !== null ? { body: back.body } : {}),
      };
      if (back.cacheKey !== userKey) key = cacheKeyOf(run, callout, params, back.cacheKey);
    }
  } else if (bypass) {
    return true;
  }
  if (key === null) key = cacheKeyOf(run, callout, params, userKey);
  return shared.cache.set(key, toCached(response), shared.config.cache.cache_ttl ?? 300).then(() => true);
}
