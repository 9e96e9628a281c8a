// Ordered, case-insensitive, multi-valued header map (the HeaderMap of the PDK's Exchange).
import type { HeaderMap } from '../pdk/exchange';

interface Field {
  readonly name: string;       // as first given
  values: string[];
}

export class OrderedHeaderMap implements HeaderMap {
  private readonly fields = new Map<string, Field>();

  /** Builds a map from node's rawHeaders ([name, value, name, value, ...]). */
  static fromRaw(raw: readonly string[]): OrderedHeaderMap {
    const map = new OrderedHeaderMap();
    for (let i = 0; i + 1 < raw.length; i += 2) map.add(raw[i], raw[i + 1]);
    return map;
  }

  static fromEntries(entries: Iterable<readonly [string, string]>): OrderedHeaderMap {
    const map = new OrderedHeaderMap();
    for (const [name, value] of entries) map.add(name, value);
    return map;
  }

  get size(): number {
    return this.fields.size;
  }

  get(name: string): string | undefined {
    return this.fields.get(name.toLowerCase())?.values[0];
  }

  getAll(name: string): string[] {
    const field = this.fields.get(name.toLowerCase());
    return field ? field.values.slice() : [];
  }

  has(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  set(name: string, value: string | readonly string[]): void {
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
    const key = name.toLowerCase();
    const existing = this.fields.get(key);
    if (existing) existing.values.push(value);
    else this.fields.set(key, { name, values: [value] });
  }

  delete(name: string): void {
    this.fields.delete(name.toLowerCase());
  }

  clear(): void {
    this.fields.clear();
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

  /** Lower-case name → values, in insertion order; for writers that need a field at a time. */
  *fieldsLowerCase(): IterableIterator<[string, string, readonly string[]]> {
    for (const [key, field] of this.fields) yield [key, field.name, field.values];
  }
}
