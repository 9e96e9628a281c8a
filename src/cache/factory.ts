// Builds the cache a Request Callout plugin instance uses from its normalized `config.cache`.
// Called at config load; connections and dictionaries open lazily on first use.

import { CacheConfigError } from './errors';
import { MemoryCalloutCache } from './memory';
import { RedisCalloutCache } from './redis';
import { planRedisConnection, type TrustedCa } from './redis-options';
import type { CacheLogger, CalloutCache, CalloutCacheConfig } from './strategy';

const DEFAULT_DICTIONARY = 'kong_db_cache';

export interface CalloutCacheOptions {
  /** CA certificates for `ssl_verify` (luagate's lua_ssl_trusted_certificate); Node's bundle otherwise. */
  readonly trustedCa?: TrustedCa['ca'];
  /** Bytes of a memory dictionary (Kong's mem_cache_size); 128 MiB when absent. */
  readonly memoryBytes?: number;
}

export function createCalloutCache(
  cacheConfig: CalloutCacheConfig,
  logger: CacheLogger,
  options: CalloutCacheOptions = {},
): CalloutCache | undefined {
  switch (cacheConfig.strategy) {
    case 'off':
      return undefined;
    case 'memory':
      return new MemoryCalloutCache(cacheConfig.memory?.dictionary_name ?? DEFAULT_DICTIONARY, logger, options.memoryBytes);
    case 'redis':
      return new RedisCalloutCache(planRedisConnection(cacheConfig.redis ?? {}, { ca: options.trustedCa }), logger);
    default:
      throw new CacheConfigError('cache.strategy', 'expected one of: memory, redis, off');
  }
}
