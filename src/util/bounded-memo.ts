// Values computed from a key that mostly repeats (parsed URLs, normalised header names, cache-key
// digests, checked config strings): each is computed once and remembered. The keys come from
// configuration or traffic, and nothing stops a stream of distinct ones, so the table starts over
// when it reaches its limit instead of growing without bound.
export class BoundedMemo<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  /** The value remembered for `key`, or `compute(key)` remembered now. */
  get(key: K, compute: (key: K) => V): V {
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const value = compute(key);
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
