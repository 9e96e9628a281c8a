// The normalized entity model produced by the declarative loader and consumed by the snapshot
// compiler, the router and the plugins. Field names follow Kong's entities.

export type Protocol = 'http' | 'https' | 'grpc' | 'grpcs' | 'tcp' | 'tls' | 'udp' | 'ws' | 'wss';

export interface ServiceEntity {
  readonly id: string;
  readonly name: string | null;
  readonly protocol: 'http' | 'https' | 'grpc' | 'grpcs';
  readonly host: string;
  readonly port: number;
  /** Upstream path prefix; null when the service has none. */
  readonly path: string | null;
  readonly retries: number;           // default 5
  readonly connect_timeout: number;   // ms, default 60000
  readonly write_timeout: number;     // ms, default 60000
  readonly read_timeout: number;      // ms, default 60000
  readonly tls_verify: boolean | null;
  readonly enabled: boolean;
  readonly tags: readonly string[];
}

export interface RouteEntity {
  readonly id: string;
  readonly name: string | null;
  readonly service: string | null;    // service id
  readonly protocols: readonly Protocol[];
  readonly methods: readonly string[] | null;
  readonly hosts: readonly string[] | null;
  readonly paths: readonly string[] | null;
  readonly headers: Readonly<Record<string, readonly string[]>> | null;
  readonly strip_path: boolean;       // default true
  readonly preserve_host: boolean;    // default false
  readonly regex_priority: number;    // default 0
  readonly path_handling: 'v0' | 'v1';// default v0
  readonly https_redirect_status_code: number;
  readonly request_buffering: boolean;
  readonly response_buffering: boolean;
  readonly tags: readonly string[];
}

export interface ConsumerEntity {
  readonly id: string;
  readonly username: string | null;
  readonly custom_id: string | null;
  readonly tags: readonly string[];
}

export interface PluginEntity {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly protocols: readonly Protocol[];
  readonly route: string | null;      // route id
  readonly service: string | null;    // service id
  readonly consumer: string | null;   // consumer id
  /** Schema-normalized config: every default filled, as Kong stores it. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
}

export interface DeclarativeConfig {
  readonly formatVersion: string;
  readonly services: readonly ServiceEntity[];
  readonly routes: readonly RouteEntity[];
  readonly consumers: readonly ConsumerEntity[];
  readonly plugins: readonly PluginEntity[];
}

export type UntrustedLuaMode = 'off' | 'sandbox' | 'on';

/** Where access lines go: nowhere, the process's stdout or stderr, or appended to a file. */
export type AccessLogTarget =
  | { readonly kind: 'off' }
  | { readonly kind: 'stdout' }
  | { readonly kind: 'stderr' }
  | { readonly kind: 'file'; readonly path: string };

export interface AccessLogSetting {
  readonly target: AccessLogTarget;
  /** nginx parameters written after the path (`buffer=32k`, a format name); accepted, not acted on. */
  readonly ignoredParameters: readonly string[];
}

export type KongLogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';

/** Effective settings: kong.conf file, then KONG_* / LUAGATE_* env vars over it, defaults last. */
export interface Settings {
  readonly declarative_config: string | null;
  readonly proxy_listen: readonly ListenAddress[];      // default 0.0.0.0:8000
  readonly untrusted_lua: UntrustedLuaMode;              // default sandbox
  readonly untrusted_lua_sandbox_requires: readonly string[];
  readonly untrusted_lua_sandbox_environment: readonly string[];
  readonly log_level: KongLogLevel;                      // default notice
  readonly nginx_worker_processes: number | 'auto';      // default auto
  readonly lua_ssl_trusted_certificate: readonly string[]; // PEM file paths ('system' allowed)
  /** Kong's `headers` setting, e.g. ['server_tokens', 'latency_tokens', 'X-Kong-Request-Id']; ['off'] disables. */
  readonly headers: readonly string[];
  /** Bytes of each memory-cache dictionary (Kong's `mem_cache_size`, default 128m); least recently used entries go first. */
  readonly mem_cache_size: number;
  /** Kong's `proxy_access_log`; default /dev/stdout (Kong's is logs/access.log under its prefix, which luagate has not). */
  readonly proxy_access_log: AccessLogSetting;
  // luagate's own (LUAGATE_* env vars)
  readonly callout_concurrency: 'sequential' | 'parallel';
  readonly lua_time_budget_ms: number;                  // CPU time one Lua call may use, default 500
  readonly lua_max_string_bytes: number;
  readonly lua_max_pattern_steps: number;
  readonly log_format: 'plain' | 'json';
  /** V8 old-space growing factor as (1 + percent/100) after each major GC; 0 keeps V8's own heuristics. */
  readonly direct_snippets: boolean;
  readonly heap_growing_percent: number;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  /** Kong's `http2` flag on the listen entry. */
  readonly http2?: boolean;
  /** Other flags as written (reuseport, backlog=N, ...); accepted for compatibility, not acted on. */
  readonly flags?: readonly string[];
}
