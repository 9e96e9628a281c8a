/** The callout half of the baseline: a keep-alive undici Pool, the body read as text and parsed as JSON. */
import type { Pool } from 'undici';

export class CalloutError extends Error {
  constructor(readonly path: string, readonly reason: unknown) {
    super(`callout ${path} failed: ${String(reason)}`);
  }
}

export type JsonObject = Record<string, unknown>;

// A callout sends a User-Agent like the plugin does (3.11+ default).
const USER_AGENT = 'luagate-bench-baseline';

export async function calloutJson(pool: Pool, path: string, extraHeaders?: Record<string, string>): Promise<JsonObject> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...extraHeaders };
  try {
    const { body } = await pool.request({ path, method: 'GET', headers });
    const parsed: unknown = JSON.parse(await body.text());
    return parsed !== null && typeof parsed === 'object' ? (parsed as JsonObject) : {};
  } catch (err) {
    throw new CalloutError(path, err);
  }
}

export function field(object: JsonObject | undefined, name: string): string {
  const value = object?.[name];
  return value === undefined || value === null || value === false ? '' : String(value);
}

/** Per-process TTL cache of callout results, as a hand-written proxy would keep one. */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, now: number): void {
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }
}
