// `memory` strategy: per worker process, one NodeCache per dictionary_name, shared by every
// plugin instance that names the same dictionary (as nginx shared dicts are shared by name).
// An entry goes through the same encoding as Redis (so both strategies accept and refuse the same
// values) and is kept decoded and frozen: a hit hands out that one read-only object, no parsing.
// A dictionary holds at most `mem_cache_size` bytes (counted as the encoded entry's length), like an
// nginx shared dict: when a new entry does not fit, the least recently used ones are evicted.

import NodeCache from 'node-cache';
import { decodeEntry, encodeEntry } from './entry-codec';
import type { CachedEntry, CacheLogger, CalloutCache } from './strategy';
import { WarnThrottle } from './warn-throttle';

const WARN_INTERVAL_MS = 10_000;
/** How often node-cache sweeps expired entries; reads check expiry themselves regardless. */
const SWEEP_PERIOD_SECONDS = 60;

/** Kong's default mem_cache_size. */
export const DEFAULT_MEMORY_BYTES = 128 * 1024 * 1024;

interface Dictionary {
  readonly store: NodeCache;
  readonly maxBytes: number;
  /** Size of every stored key, least recently used first (Map order). */
  readonly sizes: Map<string, number>;
  /** The most recently used key (a hit on it leaves the order as it is). */
  newest: string | null;
  bytes: number;
  users: number;
}

const dictionaries = new Map<string, Dictionary>();

function acquireDictionary(name: string, maxBytes: number): Dictionary {
  let dictionary = dictionaries.get(name);
  if (dictionary === undefined) {
    // Values are frozen entries, so node-cache's own cloning would only cost time.
    const store = new NodeCache({ useClones: false, checkperiod: SWEEP_PERIOD_SECONDS });
    const created: Dictionary = { store, maxBytes, sizes: new Map(), newest: null, bytes: 0, users: 0 };
    // Expiry, eviction and replacement all go through node-cache's del.
    store.on('del', (key: string) => forget(created, key));
    dictionary = created;
    dictionaries.set(name, dictionary);
  }
  dictionary.users++;
  return dictionary;
}

function forget(dictionary: Dictionary, key: string): void {
  const size = dictionary.sizes.get(key);
  if (size === undefined) return;
  dictionary.sizes.delete(key);
  dictionary.bytes -= size;
  if (dictionary.newest === key) dictionary.newest = null;
}

/** Stores an entry of `size` bytes, evicting least recently used entries until it fits. */
function store(dictionary: Dictionary, key: string, entry: CachedEntry, size: number, ttlSeconds: number): void {
  dictionary.store.del(key);
  for (const oldest of dictionary.sizes.keys()) {
    if (dictionary.bytes + size <= dictionary.maxBytes) break;
    dictionary.store.del(oldest);
  }
  dictionary.store.set(key, entry, ttlSeconds);
  dictionary.sizes.set(key, size);
  dictionary.bytes += size;
  dictionary.newest = key;
}

/** A hit makes the entry the most recently used. */
function touch(dictionary: Dictionary, key: string): void {
  if (dictionary.newest === key) return;
  const size = dictionary.sizes.get(key);
  if (size === undefined) return;
  dictionary.sizes.delete(key);
  dictionary.sizes.set(key, size);
  dictionary.newest = key;
}

function releaseDictionary(name: string, dictionary: Dictionary): void {
  dictionary.users--;
  if (dictionary.users > 0 || dictionaries.get(name) !== dictionary) return;
  dictionaries.delete(name);
  dictionary.store.close();
}

/** Freezes an entry (a byte body cannot be frozen; callers treat every entry as read-only). */
function freezeEntry(entry: CachedEntry): CachedEntry {
  const freeze = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    Object.freeze(value);
    for (const child of Object.values(value as object)) freeze(child);
  };
  freeze(entry);
  return entry;
}

export class MemoryCalloutCache implements CalloutCache {
  readonly strategy = 'memory' as const;
  private dictionary: Dictionary | undefined;
  private readonly warnings: WarnThrottle;

  constructor(readonly dictionaryName: string, logger: CacheLogger, maxBytes: number = DEFAULT_MEMORY_BYTES) {
    this.dictionary = acquireDictionary(dictionaryName, maxBytes);
    this.warnings = new WarnThrottle(logger, WARN_INTERVAL_MS);
  }

  get(key: string): CachedEntry | undefined {
    const dictionary = this.dictionary;
    const entry = dictionary?.store.get<CachedEntry>(key);
    if (entry !== undefined) touch(dictionary as Dictionary, key);
    return entry;
  }

  async set(key: string, value: CachedEntry, ttlSeconds: number): Promise<void> {
    if (this.dictionary === undefined || !(ttlSeconds > 0)) return;
    let encoded: string;
    try {
      encoded = encodeEntry(key, value);
    } catch (err) {
      this.warnings.warn(`memory cache ${this.dictionaryName}: ${(err as Error).message}; not stored`);
      return;
    }
    if (encoded.length > this.dictionary.maxBytes) {
      this.warnings.warn(`memory cache ${this.dictionaryName}: entry of ${encoded.length} bytes is larger than ` +
        `mem_cache_size (${this.dictionary.maxBytes} bytes); not stored`);
      return;
    }
    store(this.dictionary, key, freezeEntry(decodeEntry(key, encoded)), encoded.length, ttlSeconds);
  }

  async close(): Promise<void> {
    if (this.dictionary === undefined) return;
    releaseDictionary(this.dictionaryName, this.dictionary);
    this.dictionary = undefined;
  }
}
