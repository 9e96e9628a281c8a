// Which plain-prefix route candidates can match a path, found by walking the path once through a
// character trie of every configured prefix instead of testing each route in turn. Kong's prefix
// test is a plain "starts with" (`/api` matches `/apix`), so every prefix of the path is a key.

/** One configured prefix of a candidate; `position` is the candidate's place in match order. */
export interface PrefixEntry<C> {
  readonly candidate: C;
  readonly prefix: string;
  readonly position: number;
}

interface TrieNode<C> {
  children: Map<number, TrieNode<C>> | null;
  /** Entries whose prefix ends here, in match order. */
  entries: Array<PrefixEntry<C>> | null;
}

const NONE: readonly never[] = [];

function newNode<C>(): TrieNode<C> {
  return { children: null, entries: null };
}

export class PrefixIndex<C> {
  private readonly root: TrieNode<C> = newNode();

  /** Adds `prefix` for `candidate`; entries must be added in increasing `position`. */
  add(candidate: C, prefix: string, position: number): void {
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const code = prefix.charCodeAt(i);
      node.children ??= new Map();
      let next = node.children.get(code);
      if (!next) {
        next = newNode();
        node.children.set(code, next);
      }
      node = next;
    }
    node.entries ??= [];
    const last = node.entries[node.entries.length - 1];
    // The same prefix listed twice on one route is one entry.
    if (last?.candidate === candidate) return;
    node.entries.push({ candidate, prefix, position });
  }

  /** The entries whose prefix starts `path`, in match order (shared arrays: do not modify). */
  lookup(path: string): ReadonlyArray<PrefixEntry<C>> {
    let node = this.root;
    let found: ReadonlyArray<PrefixEntry<C>> = node.entries ?? NONE;
    let merged = false;
    for (let i = 0; i < path.length; i++) {
      const next = node.children?.get(path.charCodeAt(i));
      if (!next) break;
      node = next;
      const entries = node.entries;
      if (!entries) continue;
      if (found.length === 0) {
        found = entries;
      } else {
        found = found.concat(entries);
        merged = true;
      }
    }
    if (merged) (found as Array<PrefixEntry<C>>).sort(byPosition);
    return found;
  }
}

function byPosition<C>(a: PrefixEntry<C>, b: PrefixEntry<C>): number {
  return a.position - b.position;
}
