// One ioredis client per identical Redis config within the process, opened on first use,
// reconnecting in the background, and never making a request wait on a Redis that is known down.

import type { Cluster, default as Redis } from 'ioredis';
import { CacheBackendError } from './errors';
import type { RedisConnectionPlan } from './redis-options';
import type { CacheLogger } from './strategy';
import { WarnThrottle } from './warn-throttle';

export type RedisClient = Redis | Cluster;

type Ioredis = typeof import('ioredis');
let ioredis: Ioredis | undefined;

/** ioredis, loaded with the first Redis connection: ~2 MB of live heap a process without one never needs. */
function loadIoredis(): Ioredis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return ioredis ??= require('ioredis') as Ioredis;
}

const WARN_INTERVAL_MS = 10_000;

type Health = 'initial' | 'ready' | 'down';

export class SharedRedisConnection {
  private client: RedisClient | undefined;
  private health: Health = 'initial';
  private firstOutcome: Promise<void> | undefined;
  private settleFirstOutcome: (() => void) | undefined;
  private users = 0;
  private readonly warnings: WarnThrottle;

  constructor(readonly plan: RedisConnectionPlan, private readonly logger: CacheLogger) {
    this.warnings = new WarnThrottle(logger, WARN_INTERVAL_MS);
  }

  /**
   * The client when it can take a command now. The very first use waits (at most connect_timeout)
   * for the first connection attempt; afterwards a disconnected client means an immediate miss.
   */
  async usableClient(): Promise<RedisClient | undefined> {
    const client = this.client ?? this.open();
    if (isReady(client)) return client;
    if (this.health === 'initial') {
      await this.firstOutcome;
      if (isReady(client)) return client;
    }
    this.warn(new CacheBackendError(this.plan.description, 'connect', `not connected (${client.status})`));
    return undefined;
  }

  warn(error: Error): void {
    this.warnings.warn(`request-callout cache: ${error.message}; continuing without cache`);
  }

  acquire(): void {
    this.users++;
  }

  /** Returns true when this was the last user and the connection was closed. */
  release(): boolean {
    this.users--;
    if (this.users > 0) return false;
    this.client?.disconnect();
    this.client = undefined;
    this.settleFirstOutcome?.();
    return true;
  }

  private open(): RedisClient {
    const plan = this.plan;
    const { Cluster, Redis } = loadIoredis();
    const client: RedisClient = plan.kind === 'cluster'
      ? new Cluster(plan.nodes.map((n) => ({ ...n })), plan.options)
      : new Redis(plan.options);
    this.client = client;
    this.firstOutcome = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, plan.connectTimeoutMs);
      timer.unref();
      this.settleFirstOutcome = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    client.on('ready', () => this.onReady());
    client.on('error', (err: unknown) => this.onFailure(err));
    client.on('close', () => this.onFailure('connection closed'));
    if (plan.ignoredFields.length > 0) {
      this.logger('info', `request-callout cache: ${plan.description}: no effect here: ${plan.ignoredFields.join(', ')}`);
    }
    return client;
  }

  private onReady(): void {
    if (this.health === 'down') {
      this.logger('info', `request-callout cache: ${this.plan.description} reconnected`);
      this.warnings.reset();
    }
    this.health = 'ready';
    this.settleFirstOutcome?.();
  }

  private onFailure(cause: unknown): void {
    if (this.client === undefined) return;
    this.health = 'down';
    this.settleFirstOutcome?.();
    this.warn(new CacheBackendError(this.plan.description, 'connect', cause));
  }
}

function isReady(client: RedisClient): boolean {
  return client.status === 'ready';
}

const connections = new Map<string, SharedRedisConnection>();

export function acquireRedisConnection(plan: RedisConnectionPlan, logger: CacheLogger): SharedRedisConnection {
  let connection = connections.get(plan.shareKey);
  if (connection === undefined) {
    connection = new SharedRedisConnection(plan, logger);
    connections.set(plan.shareKey, connection);
  }
  connection.acquire();
  return connection;
}

export function releaseRedisConnection(connection: SharedRedisConnection): void {
  if (connection.release() && connections.get(connection.plan.shareKey) === connection) {
    connections.delete(connection.plan.shareKey);
  }
}
