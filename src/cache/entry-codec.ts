// One serialised form for both strategies: the memory cache stores the same string Redis does,
// which makes every `get` return a fresh object (clone safety) and keeps the strategies in step.

import { CacheEntryError } from './errors';
import type { CachedBody, CachedEntry, JsonValue } from './strategy';

const FORMAT_VERSION = 1;

/** Body kinds: text (a string kept as is), bytes (base64), json (a decoded document). */
type BodyKind = 't' | 'b' | 'j';

interface Envelope {
  v: number;
  s: number;
  h?: Record<string, string | string[]>;
  k?: BodyKind;
  b?: unknown;
}

export function encodeEntry(key: string, entry: CachedEntry): string {
  if (!Number.isInteger(entry.status)) {
    throw new CacheEntryError(key, `status must be an integer, got ${String(entry.status)}`);
  }
  const envelope: Envelope = { v: FORMAT_VERSION, s: entry.status };
  if (entry.headers !== undefined) envelope.h = checkedHeaders(key, entry.headers);
  if (entry.body !== undefined) {
    const body = entry.body;
    if (typeof body === 'string') {
      envelope.k = 't';
      envelope.b = body;
    } else if (body instanceof Uint8Array) {
      envelope.k = 'b';
      envelope.b = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
    } else {
      envelope.k = 'j';
      envelope.b = body;
    }
  }
  try {
    return JSON.stringify(envelope);
  } catch (err) {
    throw new CacheEntryError(key, `body is not JSON-serialisable (${(err as Error).message})`);
  }
}

export function decodeEntry(key: string, stored: string): CachedEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    throw new CacheEntryError(key, 'stored value is not JSON');
  }
  if (!isEnvelope(parsed)) throw new CacheEntryError(key, 'stored value is not a callout cache entry');
  const entry: CachedEntry = { status: parsed.s };
  if (parsed.h !== undefined) entry.headers = parsed.h;
  if (parsed.k !== undefined) entry.body = decodeBody(key, parsed.k, parsed.b);
  return entry;
}

function decodeBody(key: string, kind: BodyKind, value: unknown): CachedBody {
  switch (kind) {
    case 't':
      if (typeof value !== 'string') throw new CacheEntryError(key, 'text body is not a string');
      return value;
    case 'b':
      if (typeof value !== 'string') throw new CacheEntryError(key, 'byte body is not base64 text');
      return Buffer.from(value, 'base64');
    case 'j':
      return value as JsonValue;
  }
}

function checkedHeaders(key: string, headers: Record<string, string | string[]>): Record<string, string | string[]> {
  for (const [name, value] of Object.entries(headers)) {
    const ok = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw new CacheEntryError(key, `header ${name} must be a string or an array of strings`);
  }
  return headers;
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.v !== FORMAT_VERSION || !Number.isInteger(v.s)) return false;
  if (v.h !== undefined && (typeof v.h !== 'object' || v.h === null || Array.isArray(v.h))) return false;
  return v.k === undefined || v.k === 't' || v.k === 'b' || v.k === 'j';
}
