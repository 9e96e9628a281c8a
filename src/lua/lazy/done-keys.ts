// The keys of a lazy table that Lua has already seen or written (see index.ts).

/**
 * The keys of one lazy table that Lua has seen or written. Usually a few (a snippet reads a field or
 * two of each level), so they sit in a short array scanned in place; a `Set` per lazy table cost
 * more to make than the rest of the table. Past SHORT_KEYS (a loop reading an array element by
 * element) they move to a Set, so checks stay constant-time.
 */
export class DoneKeys {
  private list: Array<string | number> | null;
  private set: Set<string | number> | null = null;

  constructor(first?: string | number) {
    this.list = first === undefined ? null : [first];
  }

  has(key: string | number): boolean {
    const list = this.list;
    if (list !== null) {
      for (let i = 0; i < list.length; i++) if (list[i] === key) return true;
      return false;
    }
    return this.set !== null && this.set.has(key);
  }

  add(key: string | number): void {
    const list = this.list;
    if (list === null) {
      if (this.set !== null) this.set.add(key);
      else this.list = [key];
      return;
    }
    if (this.has(key)) return;
    if (list.length < SHORT_KEYS) { list.push(key); return; }
    this.set = new Set(list);
    this.set.add(key);
    this.list = null;
  }
}

const SHORT_KEYS = 8;
// Shared by every table nothing was read from yet; frozen, so a stray add() throws instead of leaking keys.
export const NO_KEYS = Object.freeze(new DoneKeys()) as DoneKeys;
