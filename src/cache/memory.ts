// `memory` strategy: per worker process, one NodeCache per dictionary_name, shared by every
// plugin instance that names the same dictionary (as nginx shared dicts are shared by name).
// An entry goes through the same encoding as Redis (so both strategies accept and refuse the same
// values) and is kept decoded and frozen: a hit hands out that one read-only object, no parsing.

import NodeCache from 'node-cache';
import { decodeEntry, encodeEntry } from './entry-codec';
import type { CachedEntry, CacheLogger, CalloutCache } from './strategy';
import { WarnThrottle } from './warn-throttle';

const WARN_INTERVAL_MS = 10_000;
/** How often node-cache sweeps expired entries; reads check expiry themselves regardless. */
const SWEEP_PERIOD_SECONDS = 60;

interface Dictionary {
  readonly store: NodeCache;
  users: number;
}

const dictionaries = new Map<string, Dictionary>();

function acquireDictionary(name: string): Dictionary {
  let dictionary = dictionaries.get(name);
  if (dictionary === undefined) {
    // Values are frozen entries, so node-cache's own cloning would only cost time.
    dictionary = { store: new NodeCache({ useClones: false, checkperiod: SWEEP_PERIOD_SECONDS }), users: 0 };
    dictionaries.set(name, dictionary);
  }
  dictionary.users++;
  return dictionary;
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

  constructor(readonly dictionaryName: string, logger: CacheLogger) {
    this.dictionary = acquireDictionary(dictionaryName);
    this.warnings = new WarnThrottle(logger, WARN_INTERVAL_MS);
  }

  async get(key: string): Promise<CachedEntry | undefined> {
    return this.dictionary?.store.get<CachedEntry>(key);
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
    this.dictionary.store.set(key, freezeEntry(decodeEntry(key, encoded)), ttlSeconds);
  }

  async close(): Promise<void> {
    if (this.dictionary === undefined) return;
    releaseDictionary(this.dictionaryName, this.dictionary);
    this.dictionary = undefined;
  }
}
