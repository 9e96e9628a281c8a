// `redis` strategy: entries shared by every gateway instance pointing at the same Redis.
// Redis trouble of any kind is a miss on read and a dropped write, never a failed request.

import { CacheBackendError } from './errors';
import { decodeEntry, encodeEntry } from './entry-codec';
import { acquireRedisConnection, releaseRedisConnection, SharedRedisConnection } from './redis-connection';
import type { RedisConnectionPlan } from './redis-options';
import type { CachedEntry, CacheLogger, CalloutCache } from './strategy';

export class RedisCalloutCache implements CalloutCache {
  readonly strategy = 'redis' as const;
  private connection: SharedRedisConnection | undefined;

  constructor(plan: RedisConnectionPlan, logger: CacheLogger) {
    this.connection = acquireRedisConnection(plan, logger);
  }

  async get(key: string): Promise<CachedEntry | undefined> {
    const connection = this.connection;
    const client = await connection?.usableClient();
    if (connection === undefined || client === undefined) return undefined;
    let stored: string | null;
    try {
      stored = await client.get(key);
    } catch (err) {
      connection.warn(new CacheBackendError(connection.plan.description, 'get', err));
      return undefined;
    }
    if (stored === null) return undefined;
    try {
      return decodeEntry(key, stored);
    } catch (err) {
      connection.warn(err as Error);
      return undefined;
    }
  }

  async set(key: string, value: CachedEntry, ttlSeconds: number): Promise<void> {
    const connection = this.connection;
    if (connection === undefined || !(ttlSeconds > 0)) return;
    let encoded: string;
    try {
      encoded = encodeEntry(key, value);
    } catch (err) {
      connection.warn(err as Error);
      return;
    }
    const client = await connection.usableClient();
    if (client === undefined) return;
    try {
      await client.set(key, encoded, 'EX', Math.ceil(ttlSeconds));
    } catch (err) {
      connection.warn(new CacheBackendError(connection.plan.description, 'set', err));
    }
  }

  async close(): Promise<void> {
    if (this.connection === undefined) return;
    releaseRedisConnection(this.connection);
    this.connection = undefined;
  }
}
