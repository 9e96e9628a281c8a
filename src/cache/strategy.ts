// The contract between the Request Callout plugin and whichever cache strategy is configured.

/** A JSON value as produced by decoding a callout body. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A stored callout body: a raw string (Lua strings may carry arbitrary bytes, one char per byte),
 * raw bytes, or a decoded JSON document. Bytes come back as a Buffer.
 */
export type CachedBody = string | Uint8Array | JsonValue;

/** The callout response context as it is cached (after `response.by_lua`). */
export interface CachedEntry {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: CachedBody;
}

export interface CalloutCache {
  readonly strategy: 'memory' | 'redis';
  /**
   * The entry, or undefined on a miss; read-only (the memory strategy hands every hit the same
   * frozen object). Never rejects: backend trouble is a miss. The memory strategy answers
   * synchronously (no promise), Redis with a promise.
   */
  get(key: string): CachedEntry | undefined | Promise<CachedEntry | undefined>;
  /** Stores a copy of the entry. Never rejects: backend trouble drops the write. */
  set(key: string, value: CachedEntry, ttlSeconds: number): Promise<void>;
  /** Releases this handle; shared connections/dictionaries close when their last user closes. */
  close(): Promise<void>;
}

export type CacheLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type CacheLogger = (level: CacheLogLevel, message: string) => void;

/** Every key the plugin stores lives under this prefix (decision 11). */
export const CALLOUT_CACHE_NAMESPACE = 'request-callout:';

// ---- the normalized `config.cache` record (Kong stores absent optional fields as null) ----

export interface RedisSentinelNode { host: string; port: number }
export interface RedisClusterNode { ip: string; port: number }

export interface RedisCacheConfig {
  host?: string | null;
  port?: number | null;
  connect_timeout?: number | null;
  send_timeout?: number | null;
  read_timeout?: number | null;
  /** Deprecated shorthand: fans out to the three timeouts when they are absent. */
  timeout?: number | null;
  username?: string | null;
  password?: string | null;
  sentinel_username?: string | null;
  sentinel_password?: string | null;
  database?: number | null;
  keepalive_pool_size?: number | null;
  keepalive_backlog?: number | null;
  sentinel_master?: string | null;
  sentinel_role?: 'master' | 'slave' | 'any' | null;
  sentinel_nodes?: readonly RedisSentinelNode[] | null;
  /** Deprecated shorthand: "host:port" strings. */
  sentinel_addresses?: readonly string[] | null;
  cluster_nodes?: readonly RedisClusterNode[] | null;
  /** Deprecated shorthand: "ip:port" strings. */
  cluster_addresses?: readonly string[] | null;
  ssl?: boolean | null;
  ssl_verify?: boolean | null;
  server_name?: string | null;
  cluster_max_redirections?: number | null;
  connection_is_proxied?: boolean | null;
}

export interface CalloutCacheConfig {
  strategy: 'off' | 'memory' | 'redis';
  memory?: { dictionary_name?: string | null } | null;
  redis?: RedisCacheConfig | null;
  cache_ttl?: number | null;
}
