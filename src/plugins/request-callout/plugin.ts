// The request-callout plugin: a PluginFactory that compiles a config once and an access handler
// that runs the callouts (sequentially, or concurrently as a luagate extension) and then the
// upstream step.
import { createCalloutCache } from '../../cache';
import type { PluginEntity } from '../../config/types';
import type { Exchange } from '../../pdk/exchange';
import { createScope, releaseScope, type PdkScope } from '../../pdk';
import type { MaybePromise } from '../maybe-async';
import type { PluginFactory, PluginInstance } from '../plugin';
import { runCalloutAwaited } from './callout-step';
import { SequentialSteps } from './sequential-steps';
import { compileCallout, compileUpstream, snippetsOf, usesLua, type CompiledCallout } from './compiled';
import type { RequestCalloutConfig } from './config';
import { CalloutCodeError, CalloutUrlError } from './errors';
import { CalloutDispatchers, loadTrustedCa } from './http-client';
import { CalloutLuaContext } from './lua-context';
import { planOrder } from './order';
import type { InstanceShared, RequestRun } from './request-run';
import type { PluginRuntime } from './runtime';
import { TemplateExited } from './templates';
import { runUpstreamStep } from './upstream-step';
import { deepFreeze } from '../../config/snapshot';

export const PLUGIN_NAME = 'request-callout';
export const PLUGIN_PRIORITY = 812;

/** The request's scope, created (and kept on the exchange) when no earlier plugin made one. */
export function scopeOf(exchange: Exchange): { scope: PdkScope; created: boolean } {
  const existing = exchange.pdkScope;
  if (existing) return { scope: existing, created: false };
  const scope = createScope(exchange);
  exchange.pdkScope = scope;
  return { scope, created: true };
}

/** Runs callouts whose dependencies are done concurrently; false when one ended the request. */
function runParallel(run: RequestRun, callouts: readonly CompiledCallout[], dependencies: ReadonlyArray<readonly number[]>): Promise<boolean> {
  const state = callouts.map(() => 'waiting' as 'waiting' | 'running' | 'done');
  let running = 0;
  let stopped = false;
  let failure: { error: unknown } | null = null;
  return new Promise<boolean>((resolve, reject) => {
    const launch = (): void => {
      if (failure || stopped) {
        if (running > 0) return;
        if (failure) reject(failure.error); else resolve(false);
        return;
      }
      if (state.every((s) => s === 'done')) { resolve(true); return; }
      callouts.forEach((callout, i) => {
        if (state[i] !== 'waiting' || !dependencies[i].every((d) => state[d] === 'done')) return;
        state[i] = 'running';
        running++;
        // As a promise even when it finishes at once, so a throw lands in the rejection handler.
        runCalloutAwaited(run, callout).then((ok) => {
          running--;
          state[i] = 'done';
          if (!ok) stopped = true;
          launch();
        }, (error: unknown) => {
          running--;
          state[i] = 'done';
          failure ??= { error };
          launch();
        });
      });
    };
    launch();
  });
}

class RequestCalloutInstance implements PluginInstance {
  readonly priority = PLUGIN_PRIORITY;
  private readonly callouts: CompiledCallout[];
  private readonly order: ReturnType<typeof planOrder>;
  private readonly upstream: ReturnType<typeof compileUpstream>;
  private readonly shared: InstanceShared;
  private readonly parallel: boolean;
  private readonly pluginRef: { readonly name: string; readonly id: string };

  constructor(readonly entity: PluginEntity, runtime: PluginRuntime) {
    const config = entity.config as unknown as RequestCalloutConfig;
    const engine = runtime.engine;
    this.callouts = config.callouts.map((c, i) => compileCallout(engine, c, i));
    this.order = planOrder(config.callouts);
    this.upstream = compileUpstream(engine, config.upstream);
    this.parallel = runtime.settings.callout_concurrency === 'parallel';
    this.pluginRef = { name: PLUGIN_NAME, id: entity.id };
    const trustedCa = loadTrustedCa(runtime.settings.lua_ssl_trusted_certificate);
    const logger = runtime.logger;
    reportDirectSnippets(entity, this.callouts, this.upstream, logger);
    const cache = (runtime.createCache ?? createCalloutCache)(config.cache,
      (level, message) => logger.log(level === 'error' ? 'error' : level, `request-callout: ${message}`),
      { trustedCa, memoryBytes: runtime.settings.mem_cache_size });
    this.shared = {
      pluginId: entity.id,
      config,
      engine,
      luaContext: usesLua(this.callouts, this.upstream) ? CalloutLuaContext.for(engine) : null,
      dispatchers: new CalloutDispatchers(trustedCa),
      cache,
      // Frozen: every request's context shows these tables, and direct snippets write only into unfrozen data.
      caching: config.callouts.map((c) => deepFreeze({ ...structuredClone(config.cache), bypass: c.cache.bypass })),
    };
    // Warm the dispatcher of every literal URL so the first request does not pay for it.
    for (const callout of this.callouts) {
      const url = callout.url.constant;
      if (url === null) continue;
      const http = callout.config.request.http_opts;
      const scheme = /^https:/i.test(url) ? 'https:' : 'http:';
      this.shared.dispatchers.get(scheme, { ssl_verify: http.ssl_verify ?? false, ssl_server_name: http.ssl_server_name ?? null,
        timeouts: http.timeouts ?? null, proxy: http.proxy ?? null });
    }
  }

  access(exchange: Exchange): void | Promise<void> {
    const { scope, created } = scopeOf(exchange);
    const previous = scope.plugin;
    scope.plugin = this.pluginRef;
    const done = (): void => {
      scope.plugin = previous;
      // No later phase runs Lua: the per-request tables can go now (the exit/upstream data is JS).
      if (created) {
        releaseScope(this.shared.engine, scope);
        exchange.pdkScope = undefined;
      }
    };
    let steps: MaybePromise<void>;
    try {
      steps = this.parallel ? this.parallelSteps({ shared: this.shared, exchange, scope, finished: false })
        : new SequentialSteps(this.shared, exchange, scope, this.callouts, this.order.sequence, this.upstream).start();
    } catch (error) {
      done();
      return failed(exchange, error);
    }
    if (!(steps instanceof Promise)) return done();
    return steps.then(done, (error: unknown) => {
      done();
      failed(exchange, error);
    });
  }

  private async parallelSteps(run: RequestRun): Promise<void> {
    if (await runParallel(run, this.callouts, this.order.dependencies)) await runUpstreamStep(run, this.upstream);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.shared.dispatchers.close(), this.shared.cache?.close()]);
  }
}


/** One info line per by_lua: whether it runs as a direct snippet, and if not, why (README "Direct snippets"). */
function reportDirectSnippets(entity: PluginEntity, callouts: readonly CompiledCallout[], upstream: ReturnType<typeof compileUpstream>,
  logger: PluginRuntime['logger']): void {
  if (!logger.enabled('info')) return;
  for (const { snippet, callout } of snippetsOf(callouts, upstream)) {
    const where = `request-callout ${entity.id}: ${snippet.site}${callout === null ? '' : ` (${callout})`}`;
    logger.log('info', snippet.direct !== null ? `${where} runs as a direct snippet`
      : `${where} runs in the Lua VM (${snippet.directReason ?? 'not compiled'})`);
  }
}

/** A step's error: a template's kong.response.exit is an answer, not a failure; code errors are logged here. */
function failed(exchange: Exchange, error: unknown): void {
  if (error instanceof TemplateExited && exchange.response.exit) return;
  if (error instanceof CalloutCodeError || error instanceof CalloutUrlError) exchange.log.log('error', error.message);
  throw error;
}

export const requestCalloutFactory: PluginFactory<PluginRuntime> = {
  name: PLUGIN_NAME,
  priority: PLUGIN_PRIORITY,
  create(entity: PluginEntity, runtime: PluginRuntime): PluginInstance {
    return new RequestCalloutInstance(entity, runtime);
  },
};
