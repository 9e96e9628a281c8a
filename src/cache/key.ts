// Cache keys for callout responses (decision 11). The default key hashes the documented
// components in a fixed order; the encoding is JSON of a canonical array, so no two distinct
// component sets can produce the same hashed text.

import { createHash } from 'crypto';
import { CALLOUT_CACHE_NAMESPACE, type JsonValue } from './strategy';
import { BoundedMemo } from '../util/bounded-memo';

export type QueryValue = string | boolean | ReadonlyArray<string | boolean>;
export type HeaderValue = string | readonly string[];

export interface CalloutCacheKeyParts {
  readonly routeId: string | null | undefined;
  readonly pluginId: string;
  readonly consumerId: string | null | undefined;
  /** Names or ids of the consumer's groups; order does not matter. */
  readonly consumerGroups: readonly string[] | null | undefined;
  readonly calloutName: string;
  readonly method: string;
  readonly url: string;
  readonly query: Readonly<Record<string, QueryValue>> | null | undefined;
  readonly headers: Readonly<Record<string, HeaderValue>> | null | undefined;
  /** The callout body: a raw string (as sent), bytes, or a JSON table (keys are sorted). */
  readonly body: string | Uint8Array | JsonValue | undefined;
}

export function defaultCalloutCacheKey(parts: CalloutCacheKeyParts): string {
  const canonical = [
    parts.routeId ?? '',
    parts.pluginId,
    parts.consumerId ?? '',
    [...(parts.consumerGroups ?? [])].sort(),
    parts.calloutName,
    parts.method,
    parts.url,
    canonicalQuery(parts.query),
    canonicalHeaders(parts.headers),
    canonicalBody(parts.body),
  ];
  const text = JSON.stringify(canonical);
  return recentKeys.get(text, digestKey);
}

// Requests of one route mostly hash the same components: the digest of recent texts is kept.
const recentKeys = new BoundedMemo<string, string>(4096);

function digestKey(text: string): string {
  return CALLOUT_CACHE_NAMESPACE + createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A `cache_key` set from `request.by_lua` is used verbatim under the namespace. */
export function userCalloutCacheKey(key: string): string {
  return CALLOUT_CACHE_NAMESPACE + key;
}

function canonicalQuery(query: CalloutCacheKeyParts['query']): Array<[string, Array<string | boolean>]> {
  if (!query) return [];
  return Object.keys(query)
    .sort(compareCodeUnits)
    .map((name) => [name, asList(query[name])]);
}

/** Header names compare lower-cased; values of names differing only in case are joined in name order. */
function canonicalHeaders(headers: CalloutCacheKeyParts['headers']): Array<[string, string[]]> {
  if (!headers) return [];
  const byLowerName = new Map<string, string[]>();
  for (const name of Object.keys(headers).sort(compareCodeUnits)) {
    const lower = name.toLowerCase();
    const values = byLowerName.get(lower) ?? [];
    values.push(...asList(headers[name]));
    byLowerName.set(lower, values);
  }
  return [...byLowerName.entries()].sort((a, b) => compareCodeUnits(a[0], b[0]));
}

function canonicalBody(body: CalloutCacheKeyParts['body']): unknown[] {
  if (body === undefined) return ['none'];
  if (typeof body === 'string') return ['string', body];
  if (body instanceof Uint8Array) return ['bytes', Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64')];
  return ['json', sortedJson(body)];
}

function sortedJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value === null || typeof value !== 'object') return value;
  // A null prototype keeps a "__proto__" key an ordinary key.
  const sorted: { [key: string]: JsonValue } = Object.create(null);
  for (const key of Object.keys(value).sort(compareCodeUnits)) sorted[key] = sortedJson(value[key]);
  return sorted;
}

function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
