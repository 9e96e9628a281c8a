// Turns the Kong `config.cache.redis` record into ioredis options. Computed once per plugin
// config; the result also yields the key under which identical configs share one connection.

import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'tls';
import { isIP } from 'net';
import { CacheConfigError } from './errors';
import type { RedisCacheConfig } from './strategy';

/** Kong's default for the three timeouts (ms). */
const KONG_DEFAULT_TIMEOUT_MS = 2000;
/** A timeout of 0 makes OpenResty fall back to its lua_socket_* directive default, 60 s. */
const ZERO_TIMEOUT_FALLBACK_MS = 60_000;
const RECONNECT_BACKOFF_STEP_MS = 200;
const RECONNECT_BACKOFF_MAX_MS = 2000;

export interface TrustedCa {
  /** PEM certificates used to verify Redis when `ssl_verify` is on; Node's bundled CAs when absent. */
  readonly ca?: string | Buffer | Array<string | Buffer>;
}

interface PlanCommon {
  /** Human-readable target for log lines, e.g. `redis 127.0.0.1:6379/0`. */
  readonly description: string;
  /** Identical plans share one connection per process. */
  readonly shareKey: string;
  readonly connectTimeoutMs: number;
  /** Notes about config fields that have no effect here (logged once when the connection opens). */
  readonly ignoredFields: readonly string[];
}

export type RedisConnectionPlan =
  | (PlanCommon & { readonly kind: 'standalone' | 'sentinel'; readonly options: RedisOptions })
  | (PlanCommon & {
      readonly kind: 'cluster';
      readonly nodes: ReadonlyArray<{ host: string; port: number }>;
      readonly options: ClusterOptions;
    });

export function planRedisConnection(config: RedisCacheConfig, trust: TrustedCa = {}): RedisConnectionPlan {
  const timeouts = resolveTimeouts(config);
  const tls = config.ssl === true ? tlsOptions(config, trust) : undefined;
  const common: RedisOptions = {
    connectTimeout: timeouts.connect,
    // ioredis has one timeout per command covering the write and the reply; read_timeout bounds
    // what a request can lose to a hung Redis.
    commandTimeout: timeouts.read,
    // Fail fast while disconnected: nothing is queued, in-flight commands are not resent.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // RESP2 works with every Redis version and with proxies, as lua-resty-redis does.
    protocol: 2,
    disableClientInfo: true,
    connectionName: 'luagate-request-callout',
    username: nonEmpty(config.username),
    password: nonEmpty(config.password),
    tls,
  };
  const ignoredFields = ignoredKeepaliveFields(config);

  if (config.connection_is_proxied !== true) {
    const clusterNodes = clusterNodeList(config);
    if (clusterNodes.length > 0) return clusterPlan(config, clusterNodes, common, timeouts.connect, ignoredFields);
    const sentinelNodes = sentinelNodeList(config);
    if (nonEmpty(config.sentinel_master) !== undefined || sentinelNodes.length > 0) {
      return sentinelPlan(config, sentinelNodes, common, timeouts, ignoredFields);
    }
  }
  return standalonePlan(config, common, timeouts.connect, ignoredFields);
}

function standalonePlan(config: RedisCacheConfig, common: RedisOptions, connectTimeoutMs: number,
  ignoredFields: string[]): RedisConnectionPlan {
  const host = config.host ?? '127.0.0.1';
  const port = checkedPort('cache.redis.port', config.port ?? 6379);
  const db = checkedDatabase(config.database);
  const options: RedisOptions = { ...common, host, port, db, retryStrategy: reconnectDelay };
  return {
    kind: 'standalone', options, connectTimeoutMs, ignoredFields,
    description: `redis ${host}:${port}/${db}`,
    shareKey: shareKeyOf('standalone', options),
  };
}

function sentinelPlan(config: RedisCacheConfig, sentinels: Array<{ host: string; port: number }>,
  common: RedisOptions, timeouts: ResolvedTimeouts, ignoredFields: string[]): RedisConnectionPlan {
  const name = nonEmpty(config.sentinel_master);
  if (name === undefined) throw new CacheConfigError('cache.redis.sentinel_master', 'required when sentinel_nodes is set');
  if (sentinels.length === 0) throw new CacheConfigError('cache.redis.sentinel_nodes', 'required when sentinel_master is set');
  const requestedRole = config.sentinel_role ?? 'master';
  if (!['master', 'slave', 'any'].includes(requestedRole)) {
    throw new CacheConfigError('cache.redis.sentinel_role', 'expected one of: master, slave, any');
  }
  // ioredis picks either the master or a replica; `any` accepts the master, which can also take writes.
  const role = requestedRole === 'slave' ? 'slave' : 'master';
  const db = checkedDatabase(config.database);
  const options: RedisOptions = {
    ...common,
    db,
    name,
    role,
    sentinels,
    sentinelUsername: nonEmpty(config.sentinel_username),
    sentinelPassword: nonEmpty(config.sentinel_password),
    sentinelCommandTimeout: timeouts.read,
    enableTLSForSentinelMode: common.tls !== undefined,
    sentinelTLS: common.tls,
    retryStrategy: reconnectDelay,
    sentinelRetryStrategy: reconnectDelay,
  };
  const nodes = sentinels.map((s) => `${s.host}:${s.port}`).join(',');
  return {
    kind: 'sentinel', options, connectTimeoutMs: timeouts.connect, ignoredFields,
    description: `redis sentinel ${name} (${requestedRole}) via ${nodes}/${db}`,
    shareKey: shareKeyOf('sentinel', options),
  };
}

function clusterPlan(config: RedisCacheConfig, nodes: Array<{ host: string; port: number }>, common: RedisOptions,
  connectTimeoutMs: number, ignoredFields: string[]): RedisConnectionPlan {
  const ignored = [...ignoredFields];
  if ((config.database ?? 0) !== 0) ignored.push('database (Redis Cluster only has database 0)');
  const { enableOfflineQueue, ...redisOptions } = common;
  const options: ClusterOptions = {
    enableOfflineQueue,
    maxRedirections: config.cluster_max_redirections ?? 5,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: connectTimeoutMs,
    redisOptions,
  };
  return {
    kind: 'cluster', nodes, options, connectTimeoutMs, ignoredFields: ignored,
    description: `redis cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    shareKey: shareKeyOf('cluster', { nodes, options }),
  };
}

interface ResolvedTimeouts { connect: number; send: number; read: number }

function resolveTimeouts(config: RedisCacheConfig): ResolvedTimeouts {
  const fallback = config.timeout ?? KONG_DEFAULT_TIMEOUT_MS;
  const pick = (path: string, value: number | null | undefined): number => {
    const ms = value ?? fallback;
    if (!Number.isInteger(ms) || ms < 0) throw new CacheConfigError(path, 'expected a non-negative integer (ms)');
    return ms === 0 ? ZERO_TIMEOUT_FALLBACK_MS : ms;
  };
  return {
    connect: pick('cache.redis.connect_timeout', config.connect_timeout),
    send: pick('cache.redis.send_timeout', config.send_timeout),
    read: pick('cache.redis.read_timeout', config.read_timeout),
  };
}

function tlsOptions(config: RedisCacheConfig, trust: TrustedCa): TlsOptions {
  const options: TlsOptions = { rejectUnauthorized: config.ssl_verify === true };
  const serverName = nonEmpty(config.server_name) ?? hostNameForSni(config.host);
  if (serverName !== undefined) options.servername = serverName;
  if (trust.ca !== undefined) options.ca = trust.ca;
  return options;
}

function hostNameForSni(host: string | null | undefined): string | undefined {
  return host && isIP(host) === 0 ? host : undefined;
}

function sentinelNodeList(config: RedisCacheConfig): Array<{ host: string; port: number }> {
  if (config.sentinel_nodes && config.sentinel_nodes.length > 0) {
    return config.sentinel_nodes.map((n, i) => ({
      host: n.host ?? '127.0.0.1',
      port: checkedPort(`cache.redis.sentinel_nodes[${i + 1}].port`, n.port ?? 6379),
    }));
  }
  return (config.sentinel_addresses ?? []).map((a, i) => parseAddress(`cache.redis.sentinel_addresses[${i + 1}]`, a));
}

function clusterNodeList(config: RedisCacheConfig): Array<{ host: string; port: number }> {
  if (config.cluster_nodes && config.cluster_nodes.length > 0) {
    return config.cluster_nodes.map((n, i) => ({
      host: n.ip ?? '127.0.0.1',
      port: checkedPort(`cache.redis.cluster_nodes[${i + 1}].port`, n.port ?? 6379),
    }));
  }
  return (config.cluster_addresses ?? []).map((a, i) => parseAddress(`cache.redis.cluster_addresses[${i + 1}]`, a));
}

function parseAddress(path: string, address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw new CacheConfigError(path, `expected "host:port", got "${address}"`);
  return { host: address.slice(0, colon), port: checkedPort(path, Number(address.slice(colon + 1))) };
}

function ignoredKeepaliveFields(config: RedisCacheConfig): string[] {
  const ignored: string[] = [];
  // One multiplexed connection per config replaces the cosocket pool, so pool sizing has no meaning.
  if (config.keepalive_backlog != null) ignored.push('keepalive_backlog');
  return ignored;
}

function checkedPort(path: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CacheConfigError(path, 'expected a port between 1 and 65535');
  return port;
}

function checkedDatabase(database: number | null | undefined): number {
  const db = database ?? 0;
  if (!Number.isInteger(db) || db < 0) throw new CacheConfigError('cache.redis.database', 'expected a non-negative integer');
  return db;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

function reconnectDelay(attempt: number): number {
  return Math.min(attempt * RECONNECT_BACKOFF_STEP_MS, RECONNECT_BACKOFF_MAX_MS);
}

function shareKeyOf(kind: string, options: unknown): string {
  // Functions (retry strategies) are the same for every plan and drop out of JSON.
  return `${kind}:${JSON.stringify(options)}`;
}
