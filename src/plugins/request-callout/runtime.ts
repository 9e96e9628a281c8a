// What request-callout needs from the process, provided by whoever builds the snapshot.
import type { CalloutCache, CalloutCacheConfig, CacheLogger, CalloutCacheOptions } from '../../cache';
import type { Settings } from '../../config/types';
import type { LuaEngine } from '../../lua/engine';
import type { LogSink } from '../../pdk/exchange';

export interface PluginRuntime {
  /** The process's Lua engine, with the PDK installed and sealed. */
  readonly engine: LuaEngine;
  readonly settings: Pick<Settings, 'callout_concurrency' | 'lua_ssl_trusted_certificate' | 'mem_cache_size'>;
  /** Process-level log (cache warnings and other messages outside a request). */
  readonly logger: LogSink;
  /** Builds the cache of one plugin instance; defaults to the cache layer's createCalloutCache. */
  readonly createCache?: (config: CalloutCacheConfig, logger: CacheLogger, options: CalloutCacheOptions) => CalloutCache | undefined;
}
