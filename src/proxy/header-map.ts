// Ordered, case-insensitive, multi-valued header map (the HeaderMap of the PDK's Exchange).
// A map built from node's rawHeaders stays that flat list until something reads or edits it by
// name: a request no plugin looks at forwards its headers without building the map at all, and
// one that only gains new fields (set/add of a name it lacks, the usual upstream edit) keeps the
// list and the additions after it.
import type { HeaderMap } from '../pdk/exchange';

interface Field {
  readonly name: string;       // as first given
  values: string[];
}

const NO_FIELDS: readonly string[] = Object.freeze([]);

export class OrderedHeaderMap implements HeaderMap {
  /** Built from `raw` (and `appended`) on first use by name; until then they hold every field. */
  private indexed: Map<string, Field> | null = null;
  private raw: readonly string[] | null;
  /** Fields of names `raw` lacks, added while not indexed (flat [name, value, ...]). */
  private appended: string[] | null = null;

  constructor(raw: readonly string[] = NO_FIELDS) {
    this.raw = raw;
  }

  /** A map over node's rawHeaders ([name, value, name, value, ...]); the list is not copied. */
  static fromRaw(raw: readonly string[]): OrderedHeaderMap {
    return new OrderedHeaderMap(raw);
  }

  static fromEntries(entries: Iterable<readonly [string, string]>): OrderedHeaderMap {
    const map = new OrderedHeaderMap();
    for (const [name, value] of entries) map.add(name, value);
    return map;
  }

  private get fields(): Map<string, Field> {
    if (this.indexed === null) {
      const fields = new Map<string, Field>();
      const raw = this.raw as readonly string[];
      for (let i = 0; i + 1 < raw.length; i += 2) addField(fields, raw[i], raw[i + 1]);
      const appended = this.appended;
      if (appended !== null) for (let i = 0; i < appended.length; i += 2) addField(fields, appended[i], appended[i + 1]);
      this.indexed = fields;
      this.raw = null;
      this.appended = null;
    }
    return this.indexed;
  }

  /** Not indexed yet, and no field named `name` (any case) in the list or the additions. */
  private lacksUnindexed(name: string): boolean {
    if (this.raw === null) return false;
    const key = name.toLowerCase();
    return !holds(this.raw, key) && (this.appended === null || !holds(this.appended, key));
  }

  private append(name: string, values: string | readonly string[]): void {
    const appended = (this.appended ??= []);
    if (typeof values === 'string') appended.push(name, values);
    else for (const value of values) appended.push(name, value);
  }

  get size(): number {
    if (this.raw !== null && this.raw.length === 0 && this.appended === null) return 0;
    return this.fields.size;
  }

  get lineCount(): number {
    if (this.raw !== null) return (this.raw.length >> 1) + (this.appended === null ? 0 : this.appended.length >> 1);
    let n = 0;
    for (const field of (this.indexed as Map<string, Field>).values()) n += field.values.length;
    return n;
  }

  // Reads by name scan the unindexed list (a handful of fields): one lookup does not pay for a Map.
  get(name: string): string | undefined {
    if (this.raw === null) return (this.indexed as Map<string, Field>).get(name.toLowerCase())?.values[0];
    const key = name.toLowerCase();
    return firstValue(this.raw, key) ?? (this.appended === null ? undefined : firstValue(this.appended, key));
  }

  getAll(name: string): string[] {
    if (this.raw === null) return (this.indexed as Map<string, Field>).get(name.toLowerCase())?.values.slice() ?? [];
    const key = name.toLowerCase();
    const out: string[] = [];
    collectValues(this.raw, key, out);
    if (this.appended !== null) collectValues(this.appended, key, out);
    return out;
  }

  lookup(name: string): string | string[] | undefined {
    if (this.raw === null) {
      const values = (this.indexed as Map<string, Field>).get(name.toLowerCase())?.values;
      return values === undefined ? undefined : values.length === 1 ? values[0] : values.slice();
    }
    const key = name.toLowerCase();
    const found = lookupIn(this.raw, key, undefined);
    return this.appended === null ? found : lookupIn(this.appended, key, found);
  }

  has(name: string): boolean {
    if (this.raw === null) return (this.indexed as Map<string, Field>).has(name.toLowerCase());
    const key = name.toLowerCase();
    return holds(this.raw, key) || (this.appended !== null && holds(this.appended, key));
  }

  set(name: string, value: string | readonly string[]): void {
    if (this.lacksUnindexed(name)) {
      this.append(name, value);
      return;
    }
    const values = typeof value === 'string' ? [value] : value.slice();
    const key = name.toLowerCase();
    if (values.length === 0) {
      this.fields.delete(key);
      return;
    }
    const existing = this.fields.get(key);
    if (existing) existing.values = values;
    else this.fields.set(key, { name, values });
  }

  add(name: string, value: string): void {
    if (this.lacksUnindexed(name)) this.append(name, value);
    else addField(this.fields, name, value);
  }

  delete(name: string): void {
    if (this.lacksUnindexed(name)) return;
    this.fields.delete(name.toLowerCase());
  }

  clear(): void {
    this.raw = NO_FIELDS;
    this.appended = null;
    this.indexed = null;
  }

  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const field of this.fields.values()) {
      for (const value of field.values) out.push([field.name, value]);
    }
    return out;
  }

  names(): string[] {
    const out: string[] = [];
    for (const field of this.fields.values()) out.push(field.name);
    return out;
  }

  /**
   * Every field as flat [name, value, ...] lists, read one after the other: the original list and
   * the additions while only new names were added (not copied into one), else one list grouped by
   * name in first-seen order. Callers must not modify them.
   */
  flatLists(): ReadonlyArray<readonly string[]> {
    if (this.raw !== null) return this.appended === null ? [this.raw] : [this.raw, this.appended];
    const out: string[] = [];
    for (const field of (this.indexed as Map<string, Field>).values()) {
      for (const value of field.values) out.push(field.name, value);
    }
    return [out];
  }
}

/**
 * Whether field name `name` is `key` (lower case) ignoring ASCII case, without building a
 * lower-case copy of every name scanned; names with other characters compare as toLowerCase would.
 */
export function fieldNameIs(name: string, key: string): boolean {
  if (name.length !== key.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c > 0x7f) return name.toLowerCase() === key;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== key.charCodeAt(i)) return false;
  }
  return true;
}

/** The first value of the field `key` (lower case) in a flat [name, value, ...] list. */
export function firstValue(list: readonly string[], key: string): string | undefined {
  for (let i = 0; i + 1 < list.length; i += 2) {
    if (fieldNameIs(list[i], key)) return list[i + 1];
  }
  return undefined;
}

/** `found` with the values of `key` in `list` added: one value as a string, more as a new array. */
function lookupIn(list: readonly string[], key: string, found: string | string[] | undefined): string | string[] | undefined {
  for (let i = 0; i + 1 < list.length; i += 2) {
    if (!fieldNameIs(list[i], key)) continue;
    const value = list[i + 1];
    if (found === undefined) found = value;
    else if (typeof found === 'string') found = [found, value];
    else found.push(value);
  }
  return found;
}

function collectValues(list: readonly string[], key: string, out: string[]): void {
  for (let i = 0; i + 1 < list.length; i += 2) {
    if (fieldNameIs(list[i], key)) out.push(list[i + 1]);
  }
}

/** Whether a flat [name, value, ...] list has a field named `key` (lower case), in any case. */
function holds(list: readonly string[], key: string): boolean {
  for (let i = 0; i + 1 < list.length; i += 2) {
    if (fieldNameIs(list[i], key)) return true;
  }
  return false;
}

function addField(fields: Map<string, Field>, name: string, value: string): void {
  const key = name.toLowerCase();
  const existing = fields.get(key);
  if (existing) existing.values.push(value);
  else fields.set(key, { name, values: [value] });
}

/**
 * Lower-case field names, matched against a name in any case without lower-casing it (most names
 * a request carries are not in the set, and their length alone says so).
 */
export class FieldNameSet {
  private readonly byLength: Array<readonly string[] | undefined> = [];

  constructor(names: Iterable<string>) {
    for (const name of names) this.byLength[name.length] = [...(this.byLength[name.length] ?? []), name];
  }

  /** The set's name equal to `name` ignoring case, or null. */
  find(name: string): string | null {
    const candidates = this.byLength[name.length];
    if (candidates === undefined) return null;
    for (const candidate of candidates) if (fieldNameIs(name, candidate)) return candidate;
    return null;
  }
}
