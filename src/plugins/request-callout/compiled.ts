// Everything a plugin instance prepares at create(): compiled snippets and templates per callout,
// the run order, HTTP dispatchers and the cache.
import type { CompiledChunk, LuaEngine, LuaEnv } from '../../lua/engine';
import { LuaError } from '../../lua/errors';
import { compileDirect, type DirectSnippet } from '../../snippet/compile';
import type { CalloutConfig, RequestCalloutConfig, UpstreamConfig } from './config';
import type { CalloutParams } from './params';
import { CalloutConfigError } from './errors';
import { compileCustom, compileText, CHUNK_NAME, type CustomEntry, type TextValue } from './templates';

export interface CompiledSnippet {
  readonly site: string;
  readonly chunk: CompiledChunk;
  /** One environment per chunk: its globals persist across requests, as on Kong. */
  readonly env: LuaEnv;
  /** The same snippet as JS closures when it stays within what snippet/compile.ts covers. */
  readonly direct: DirectSnippet | null;
  /** Why `direct` is null (a setting, or the first construct the direct compiler leaves to the VM). */
  readonly directReason: string | null;
}

export interface CompiledCallout {
  readonly index: number;
  readonly site: string;
  readonly config: CalloutConfig;
  readonly url: TextValue;
  readonly query: CustomEntry[] | null;
  readonly headers: CustomEntry[] | null;
  readonly body: CustomEntry[] | null;
  readonly errorMessage: TextValue;
  readonly requestLua: CompiledSnippet | null;
  readonly responseLua: CompiledSnippet | null;
  readonly errorStatuses: ReadonlySet<number>;
  /** headers.custom names a Content-Type (it then wins over the JSON one, decision 15). */
  readonly customContentType: boolean;
  /**
   * Default cache keys by route and consumer, when the callout's request never depends on the
   * client request (no templates, no forwarding, no request.by_lua); null otherwise.
   */
  readonly staticKeys: Map<string, string> | null;
  /**
   * The same callouts without body.custom (whose JSON depends on the client's Content-Type) build
   * identical params for every request: built on the first, frozen, shared by the rest.
   */
  readonly paramsAreStatic: boolean;
  sharedParams: CalloutParams | null;
}

export interface CompiledUpstream {
  readonly config: UpstreamConfig;
  readonly query: CustomEntry[] | null;
  readonly headers: CustomEntry[] | null;
  readonly body: CustomEntry[] | null;
  readonly lua: CompiledSnippet | null;
}

/**
 * Direct snippets assume the sandbox's read-only kong and string library: not in `on` mode (any
 * snippet may replace a global there) nor with untrusted_lua_sandbox_environment (it can shadow them).
 */
function directSnippetsRefused(engine: LuaEngine): string | null {
  const options = engine.options;
  if (!options.directSnippets) return 'direct_snippets = off';
  if (options.mode !== 'sandbox') return `untrusted_lua = ${options.mode}`;
  if (options.sandboxEnvironment.length > 0) return 'untrusted_lua_sandbox_environment is set';
  return null;
}

export function compileSnippet(engine: LuaEngine, source: string | null, site: string): CompiledSnippet | null {
  if (source === null || source === undefined) return null;
  try {
    const chunk = engine.compileChunk(source, CHUNK_NAME);
    const refused = directSnippetsRefused(engine);
    const direct = refused === null ? compileDirect(source) : { snippet: null, reason: refused };
    return { site, chunk, env: engine.createChunkEnv(), direct: direct.snippet, directReason: direct.reason };
  } catch (error) {
    if (error instanceof LuaError) throw new CalloutConfigError(site, error.message);
    throw error;
  }
}

function compileTextAt(engine: LuaEngine, text: string, site: string): TextValue {
  try {
    return compileText(engine, text, site);
  } catch (error) {
    if (error instanceof LuaError) throw new CalloutConfigError(site, error.message);
    throw error;
  }
}

function compileCustomAt(engine: LuaEngine, custom: CalloutConfig['request']['query']['custom'], site: string): CustomEntry[] | null {
  try {
    return compileCustom(engine, custom, site);
  } catch (error) {
    if (error instanceof LuaError) throw new CalloutConfigError(site, error.message);
    throw error;
  }
}

export function compileCallout(engine: LuaEngine, config: CalloutConfig, index: number): CompiledCallout {
  const site = `callouts[${index + 1}]`;
  const request = config.request;
  const headers = compileCustomAt(engine, request.headers.custom, `${site}.request.headers.custom`);
  const compiled: CompiledCallout = {
    index,
    site,
    config,
    url: compileTextAt(engine, request.url, `${site}.request.url`),
    query: compileCustomAt(engine, request.query.custom, `${site}.request.query.custom`),
    headers,
    body: compileCustomAt(engine, request.body.custom, `${site}.request.body.custom`),
    errorMessage: compileTextAt(engine, request.error.error_response_msg, `${site}.request.error.error_response_msg`),
    requestLua: compileSnippet(engine, request.by_lua, `${site}.request.by_lua`),
    responseLua: compileSnippet(engine, config.response.by_lua, `${site}.response.by_lua`),
    errorStatuses: new Set(request.error.http_statuses ?? []),
    customContentType: (headers ?? []).some((e) => e.name.toLowerCase() === 'content-type' && e.value !== null),
    staticKeys: null,
    paramsAreStatic: false,
    sharedParams: null,
  };
  const constant = (entries: CustomEntry[] | null): boolean => (entries ?? []).every((e) => e.value === null || e.value.constant !== null);
  const isStatic = compiled.url.constant !== null && compiled.requestLua === null && !request.query.forward &&
    !request.headers.forward && !request.body.forward && constant(compiled.query) && constant(compiled.headers) && constant(compiled.body);
  return isStatic ? { ...compiled, staticKeys: new Map(), paramsAreStatic: compiled.body === null } : compiled;
}

export function compileUpstream(engine: LuaEngine, config: UpstreamConfig): CompiledUpstream {
  return {
    config,
    query: compileCustomAt(engine, config.query.custom, 'upstream.query.custom'),
    headers: compileCustomAt(engine, config.headers.custom, 'upstream.headers.custom'),
    body: compileCustomAt(engine, config.body.custom, 'upstream.body.custom'),
    lua: compileSnippet(engine, config.by_lua, 'upstream.by_lua'),
  };
}

/** Does any code of the config run in Lua (and so may read kong.ctx.shared.callouts)? */
export function usesLua(callouts: readonly CompiledCallout[], upstream: CompiledUpstream): boolean {
  const dynamic = (entries: CustomEntry[] | null): boolean => (entries ?? []).some((e) => e.value !== null && e.value.constant === null);
  return upstream.lua !== null || dynamic(upstream.query) || dynamic(upstream.headers) || dynamic(upstream.body) ||
    callouts.some((c) => c.requestLua !== null || c.responseLua !== null || c.url.constant === null ||
      c.errorMessage.constant === null || dynamic(c.query) || dynamic(c.headers) || dynamic(c.body));
}

/** Every by_lua of the instance with the callout it belongs to (for the config-load report). */
export function snippetsOf(callouts: readonly CompiledCallout[], upstream: CompiledUpstream): Array<{ readonly snippet: CompiledSnippet; readonly callout: string | null }> {
  const out: Array<{ snippet: CompiledSnippet; callout: string | null }> = [];
  for (const c of callouts) {
    if (c.requestLua) out.push({ snippet: c.requestLua, callout: c.config.name });
    if (c.responseLua) out.push({ snippet: c.responseLua, callout: c.config.name });
  }
  if (upstream.lua) out.push({ snippet: upstream.lua, callout: null });
  return out;
}

export type { RequestCalloutConfig };
