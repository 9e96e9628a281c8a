// The keys of a lazy table that Lua has already seen or written (see index.ts).

type Key = string | number;

/**
 * The keys of one lazy table that Lua has seen or written. Usually one to three (a snippet reads a
 * field or two of each level), so the first four sit in fields of this object: no array,
 * no growth when the second key comes. Past them (a loop reading an array element by element)
 * every key moves to a Set, so checks stay constant-time.
 */
export class DoneKeys {
  private k0: Key | undefined;
  private k1: Key | undefined = undefined;
  private k2: Key | undefined = undefined;
  private k3: Key | undefined = undefined;
  private set: Set<Key> | null = null;

  constructor(first?: Key) {
    this.k0 = first;
  }

  has(key: Key): boolean {
    if (this.set !== null) return this.set.has(key);
    return key === this.k0 || key === this.k1 || key === this.k2 || key === this.k3;
  }

  add(key: Key): void {
    if (this.has(key)) return;
    if (this.set !== null) { this.set.add(key); return; }
    if (this.k0 === undefined) this.k0 = key;
    else if (this.k1 === undefined) this.k1 = key;
    else if (this.k2 === undefined) this.k2 = key;
    else if (this.k3 === undefined) this.k3 = key;
    else {
      this.set = new Set([this.k0, this.k1, this.k2, this.k3, key]);
      this.k0 = this.k1 = this.k2 = this.k3 = undefined;
    }
  }
}

// Shared by every table nothing was read from yet; frozen, so a stray add() throws instead of leaking keys.
export const NO_KEYS = Object.freeze(new DoneKeys()) as DoneKeys;
