// Per-request state shared by the callout steps and the upstream step, and how snippets run.
import type { CalloutCache } from '../../cache';
import type { CallOutcome, LuaEngine } from '../../lua/engine';
import { LuaError } from '../../lua/errors';
import type { Exchange } from '../../pdk/exchange';
import type { PdkScope } from '../../pdk/scope';
import type { CompiledSnippet } from './compiled';
import type { CalloutConfig, RequestCalloutConfig } from './config';
import { CalloutCodeError } from './errors';
import type { CalloutDispatchers } from './http-client';
import type { CalloutLuaContext } from './lua-context';

/** What a plugin instance shares with each request (all built at create()). */
export interface InstanceShared {
  readonly pluginId: string;
  readonly config: RequestCalloutConfig;
  readonly engine: LuaEngine;
  /** null when no code of this config runs in Lua: nobody can read the Lua context then. */
  readonly luaContext: CalloutLuaContext | null;
  readonly dispatchers: CalloutDispatchers;
  readonly cache: CalloutCache | undefined;
  /** Per callout: the `caching` table (a copy of config.cache plus bypass). */
  readonly caching: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

export interface RequestRun {
  readonly shared: InstanceShared;
  readonly exchange: Exchange;
  readonly scope: PdkScope;
  /** Set once a snippet, an error policy or a failure ended the request's access work. */
  finished: boolean;
}

const noResult = (): undefined => undefined;

/**
 * Runs a by_lua snippet; false when it stopped the request (kong.response.exit). Synchronous when
 * the snippet never waits on the host (the usual case), so callers only await when they must.
 */
export function runSnippet(run: RequestRun, snippet: CompiledSnippet): boolean | Promise<boolean> {
  const scope = run.scope;
  // Direct only while kong.ctx.shared is still the plugin's JS values: once Lua holds it, the
  // values the snippet would read are Lua's tables. A direct run that bails changed nothing.
  if (snippet.direct !== null && scope.sharedTable === null) {
    if (snippet.direct.run(scope)) return continuesAfterDirect(run);
    const log = run.exchange.log;
    if (log.enabled('debug')) log.log('debug', `request-callout: ${snippet.site} left its direct run to the Lua VM`);
  }
  scope.snippet = snippet.site;
  let outcome: CallOutcome<undefined> | Promise<CallOutcome<undefined>>;
  try {
    outcome = run.shared.engine.call(snippet.chunk, snippet.env, scope, noResult);
  } catch (error) {
    scope.snippet = null;
    throw snippetFailure(run, snippet, error);
  }
  if (!(outcome instanceof Promise)) {
    scope.snippet = null;
    return continues(run, outcome);
  }
  return outcome.then(
    (settled) => { scope.snippet = null; return continues(run, settled); },
    (error: unknown) => { scope.snippet = null; throw snippetFailure(run, snippet, error); },
  );
}

function continues(run: RequestRun, outcome: CallOutcome<undefined>): boolean {
  if (outcome.kind === 'stopped' || run.exchange.response.exit) {
    run.finished = true;
    return false;
  }
  return true;
}

function continuesAfterDirect(run: RequestRun): boolean {
  if (!run.exchange.response.exit) return true;
  run.finished = true;
  return false;
}

function snippetFailure(run: RequestRun, snippet: CompiledSnippet, error: unknown): unknown {
  run.finished = true;
  return error instanceof LuaError ? new CalloutCodeError(snippet.site, error.message, { cause: error }) : error;
}

/** Answers the client with a callout error policy reply (decision 8): plain text, no Content-Type. */
export function exitWithError(run: RequestRun, status: number, message: string): void {
  run.finished = true;
  if (run.exchange.response.exit) return;
  run.exchange.response.exit = { status, body: Buffer.from(message), headers: [] };
}

export type { CalloutConfig };
