// V8 finds a property by a string key quickly only when the key is interned ("internalized"): the
// names in source code and object keys are, but strings a parser slices out of a larger text (YAML
// scalars, the keys of a template's field path) and the copies a structured clone makes are not.
// Every keyed read or write with such a string first has V8 look up the interned copy in its
// string table: one callout name written as a key into a per-request object cost about 0.8 µs per
// request under load, and kept the writing function out of optimized code (bench/RESULTS.md,
// optimisation log). Strings that become keys on the request path are interned once, when the
// configuration is loaded.

/** The interned copy of `text` (equal to it; the same string when it already is interned). */
export function interned(text: string): string {
  // Property keys are interned by V8; integer-like ones are elements and come back as equal text.
  const holder: Record<string, true> = { [text]: true };
  for (const key in holder) return key;
  return text;
}

/** Replaces every string value in a parsed document (plain objects and arrays) by its interned copy, in place. */
export function internStrings(document: unknown): unknown {
  if (typeof document === 'string') return interned(document);
  if (document === null || typeof document !== 'object') return document;
  const pending: object[] = [document];
  const seen = new Set<object>();
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    // YAML aliases make one node reachable from several places.
    if (seen.has(node)) continue;
    seen.add(node);
    const container = node as Record<string, unknown>;
    for (const key of Object.keys(container)) {
      const value = container[key];
      if (typeof value === 'string') container[key] = interned(value);
      else if (value !== null && typeof value === 'object' && isPlainContainer(value)) pending.push(value);
    }
  }
  return document;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
