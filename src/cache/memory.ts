// `memory` strategy: per worker process, one NodeCache per dictionary_name, shared by every
// plugin instance that names the same dictionary (as nginx shared dicts are shared by name).

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
    // Values are immutable JSON strings, so node-cache's own cloning would only cost time.
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

export class MemoryCalloutCache implements CalloutCache {
  readonly strategy = 'memory' as const;
  private dictionary: Dictionary | undefined;
  private readonly warnings: WarnThrottle;

  constructor(readonly dictionaryName: string, logger: CacheLogger) {
    this.dictionary = acquireDictionary(dictionaryName);
    this.warnings = new WarnThrottle(logger, WARN_INTERVAL_MS);
  }

  async get(key: string): Promise<CachedEntry | undefined> {
    const stored = this.dictionary?.store.get<string>(key);
    if (stored === undefined) return undefined;
    try {
      return decodeEntry(key, stored);
    } catch (err) {
      this.warnings.warn(`memory cache ${this.dictionaryName}: ${(err as Error).message}; treated as a miss`);
      return undefined;
    }
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
    this.dictionary.store.set(key, encoded, ttlSeconds);
  }

  async close(): Promise<void> {
    if (this.dictionary === undefined) return;
    releaseDictionary(this.dictionaryName, this.dictionary);
    this.dictionary = undefined;
  }
}
