// An upper bound on how much a translated pattern can backtrack, used to decide whether a match
// may run on the main thread (JS RegExp has no match limit and cannot be interrupted there) or
// must run where it can be stopped (isolated-matcher.ts). The bound is deliberately crude and
// errs towards "expensive": each quantifier that can repeat multiplies the paths by the subject
// length it may consume, an unanchored search multiplies by the start positions, and a repeated
// group holding its own quantifier, alternation, lookaround or a back reference (or any back
// reference) makes it exponential in the subject length.

export interface BacktrackProfile {
  /** Upper repeat counts of the quantifiers that can repeat (Infinity when unbounded). */
  readonly repeats: readonly number[];
  /** log2 of the paths contributed by `?` quantifiers and alternations, independent of the subject. */
  readonly fixedBits: number;
  /** A repeated group with inner choices, or a back reference: exponential in the subject. */
  readonly exponential: boolean;
  /** Matching can only start at one position (`^` at the start, or the `a` option). */
  readonly anchored: boolean;
}

/**
 * Above these a match runs where it can be stopped: an exponential pattern on a subject longer
 * than 20 characters (2^20 steps took ~10 ms here), a polynomial bound above 2^26 paths (the bound
 * counts every combination, so real searches stay far below it; ^Bearer\s+(.+)$ stays in place up to 5 KB).
 */
const EXPONENTIAL_MAX_LENGTH = 20;
const POLYNOMIAL_MAX_BITS = 26;

export type IsolationMode = 'bound' | 'always' | 'never';
let mode: IsolationMode = 'bound';

/** Whether matching a subject of `length` characters must run where it can be stopped. */
export function needsIsolation(profile: BacktrackProfile, length: number): boolean {
  if (mode !== 'bound') return mode === 'always';
  if (profile.exponential && length > EXPONENTIAL_MAX_LENGTH) return true;
  return backtrackBits(profile, length) > POLYNOMIAL_MAX_BITS;
}

/** Specs compare both paths: `always` isolates every match, `never` none, `bound` (the default) decides. */
export function setIsolation(next: IsolationMode): void {
  mode = next;
}

interface Frame {
  /** Holds a quantifier, alternation, lookaround or back reference. */
  choices: boolean;
  alternatives: number;
}

const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;

/** Scans JS RegExp source as the translator writes it (escapes, classes, groups, quantifiers). */
export function profileBacktracking(source: string, stickyAnchor: boolean): BacktrackProfile {
  const repeats: number[] = [];
  let fixedBits = 0;
  let exponential = false;
  const frames: Frame[] = [{ choices: false, alternatives: 1 }];
  // What the next quantifier applies to: a group (with or without inner choices) or a single atom.
  let lastAtom: 'none' | 'atom' | 'group' | 'choiceGroup' = 'none';
  const top = (): Frame => frames[frames.length - 1];
  const markChoices = (): void => { for (const f of frames) f.choices = true; };

  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if ((next >= '1' && next <= '9') || (next === 'k' && source[i + 2] === '<')) {
        exponential = true;
        markChoices();
      }
      i = skipEscape(source, i);
      lastAtom = 'atom';
      continue;
    }
    if (c === '[') {
      i = skipClass(source, i);
      lastAtom = 'atom';
      continue;
    }
    if (c === '(') {
      const lookaround = /^\(\?(?:[=!]|<[=!])/.test(source.slice(i, i + 4));
      if (lookaround) markChoices();
      frames.push({ choices: false, alternatives: 1 });
      i++;
      lastAtom = 'none';
      continue;
    }
    if (c === ')') {
      const frame = frames.length > 1 ? (frames.pop() as Frame) : top();
      if (frame.alternatives > 1) fixedBits += Math.log2(frame.alternatives);
      lastAtom = frame.choices ? 'choiceGroup' : 'group';
      i++;
      continue;
    }
    if (c === '|') {
      top().alternatives++;
      markChoices();
      i++;
      lastAtom = 'none';
      continue;
    }
    const quantifier = readQuantifier(source, i);
    if (quantifier !== null && lastAtom !== 'none') {
      if (quantifier.max > 1) {
        repeats.push(quantifier.max);
        if (lastAtom === 'choiceGroup') exponential = true;
      } else if (quantifier.max === 1 && quantifier.min === 0) {
        fixedBits += 1;
      }
      markChoices();
      i = quantifier.end;
      if (source[i] === '?') i++;                                   // lazy: the same paths, another order
      lastAtom = 'none';
      continue;
    }
    i++;
    lastAtom = 'atom';
  }
  const outer = frames[0];
  if (outer.alternatives > 1) fixedBits += Math.log2(outer.alternatives);
  return { repeats, fixedBits, exponential, anchored: stickyAnchor || (source[0] === '^' && outer.alternatives === 1) };
}

/** log2 of the polynomial bound on paths for a subject of `length` characters from the start position. */
export function backtrackBits(profile: BacktrackProfile, length: number): number {
  let bits = profile.fixedBits;
  for (const max of profile.repeats) bits += Math.log2(Math.min(max, length) + 1);
  if (profile.repeats.length > 0 && !profile.anchored) bits += Math.log2(length + 1);
  return bits;
}

function readQuantifier(source: string, i: number): { min: number; max: number; end: number } | null {
  switch (source[i]) {
    case '*': return { min: 0, max: Infinity, end: i + 1 };
    case '+': return { min: 1, max: Infinity, end: i + 1 };
    case '?': return { min: 0, max: 1, end: i + 1 };
    case '{': {
      const m = QUANTIFIER.exec(source.slice(i, i + 24));
      if (!m) return null;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      return { min, max, end: i + m[0].length };
    }
    default: return null;
  }
}

function skipEscape(source: string, i: number): number {
  const next = source[i + 1];
  const braced = (next === 'u' || next === 'p' || next === 'P') && source[i + 2] === '{';
  if (braced || (next === 'k' && source[i + 2] === '<')) {
    const close = source.indexOf(next === 'k' ? '>' : '}', i + 3);
    return close === -1 ? source.length : close + 1;
  }
  return i + 2;
}

function skipClass(source: string, i: number): number {
  let j = i + 1;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}
