// What a lazy table is over: the JS values that cross into Lua lazily (plain containers, decoded
// JSON documents, header fields) and the record a lazy table keeps of its source and of the keys
// Lua has already seen. Plain data only; the Lua side is index.ts.
import { LUA_NULL } from '../marshal';
import { DoneKeys, NO_KEYS } from './done-keys';

export type LazyContainer = readonly unknown[] | Readonly<Record<string, unknown>>;

/**
 * A JS array that is a plain Lua sequence rather than a decoded JSON array: built, it gets no
 * cjson array_mt (an empty one encodes as `{}`, as Kong's `retries = {}` does).
 */
const PLAIN_SEQUENCE = Symbol('luagate plain sequence');

export function plainSequence<T>(items: T[]): T[] {
  (items as unknown as Record<symbol, boolean>)[PLAIN_SEQUENCE] = true;
  return items;
}

export function isPlainSequence(value: LazyContainer): boolean {
  return (value as unknown as Record<symbol, boolean>)[PLAIN_SEQUENCE] === true;
}

/** Marks a JS value pushed as its own lazy table wherever it sits (a decoded JSON body, params). */
export class LazyValue {
  constructor(readonly value: unknown) {}
}

type Fields = Readonly<Record<string, unknown>>;

/**
 * Header fields with lower-case names, pushed as a lazy table looked up case-insensitively. The
 * fields may be given as a function that builds them: it runs once, when they are first read (a
 * callout's response fields are parsed only if a snippet or template looks at them).
 */
export class CaseInsensitiveFields {
  private fields: Fields | null;
  private build: (() => Fields) | null;

  constructor(source: Fields | (() => Fields)) {
    if (typeof source === 'function') {
      this.fields = null;
      this.build = source;
    } else {
      this.fields = source;
      this.build = null;
    }
  }

  get value(): Fields {
    if (this.fields === null) {
      this.fields = (this.build as () => Fields)();
      this.build = null;
    }
    return this.fields;
  }
}

/** What a lazy table still owes Lua: its JS source and the keys Lua has already seen or written. */
export interface LazySource {
  readonly value: LazyContainer;
  readonly isArray: boolean;
  /** Keys materialised, written or deleted by Lua: the raw table is authoritative for them. */
  done: DoneKeys;
  /** What a JS null becomes: nil, or a light userdata sentinel (cjson.null for JSON). */
  readonly nullAs: object | null;
  /** Header fields: lower-case keys in the source, found by a key in any case. */
  readonly caseInsensitive: boolean;
}

export function markDone(source: LazySource, key: string | number): void {
  if (source.done === NO_KEYS) source.done = new DoneKeys(key);
  else source.done.add(key);
}

export function isContainer(value: unknown): value is LazyContainer {
  return typeof value === 'object' && value !== null && value !== LUA_NULL && !(value instanceof Uint8Array);
}

/** Child of a lazy source under a Lua key (number keys index arrays 1-based), or undefined. */
export function sourceChild(source: LazySource, key: string | number): unknown {
  if (source.isArray) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 1) return undefined;
    return (source.value as readonly unknown[])[key - 1];
  }
  if (typeof key !== 'string') return undefined;
  const obj = source.value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  if (!source.caseInsensitive) return undefined;
  const lower = key.toLowerCase();
  return lower !== key && Object.prototype.hasOwnProperty.call(obj, lower) ? obj[lower] : undefined;
}
