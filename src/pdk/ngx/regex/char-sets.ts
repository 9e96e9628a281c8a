// Character sets of PCRE escapes and POSIX classes as code-point ranges, and their JS spelling.
// PCRE without UCP (OpenResty's default, also with "u") keeps \s, \h, \v and POSIX classes ASCII/
// Latin-1, where JS's \s would also match U+00A0 and other Unicode spaces.

export type Range = readonly [number, number];

export const PCRE_SPACE: Range[] = [[0x09, 0x0d], [0x20, 0x20]];
export const PCRE_HSPACE: Range[] = [[0x09, 0x09], [0x20, 0x20], [0xa0, 0xa0]];
export const PCRE_HSPACE_UNICODE: Range[] = [[0x1680, 0x1680], [0x180e, 0x180e], [0x2000, 0x200a], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
export const PCRE_VSPACE: Range[] = [[0x0a, 0x0d], [0x85, 0x85]];
export const PCRE_VSPACE_UNICODE: Range[] = [[0x2028, 0x2029]];
export const NEWLINE: Range[] = [[0x0a, 0x0a]];

export const POSIX_CLASSES: Readonly<Record<string, Range[]>> = {
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  digit: [[0x30, 0x39]],
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  upper: [[0x41, 0x5a]],
  lower: [[0x61, 0x7a]],
  space: PCRE_SPACE,
  blank: [[0x09, 0x09], [0x20, 0x20]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  print: [[0x20, 0x7e]],
  graph: [[0x21, 0x7e]],
  ascii: [[0x00, 0x7f]],
};

/** The ranges not in `ranges`, up to `max` (0xFF for byte patterns, 0x10FFFF for UTF-8 ones). */
export function complement(ranges: readonly Range[], max: number): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, Math.min(lo - 1, max)]);
    next = Math.max(next, hi + 1);
    if (next > max) break;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

/** ASCII letters of the other case inside [lo, hi], for emulating (?i) in part of a pattern. */
export function otherCaseRanges(lo: number, hi: number): Range[] {
  const out: Range[] = [];
  const upLo = Math.max(lo, 0x41), upHi = Math.min(hi, 0x5a);
  if (upLo <= upHi) out.push([upLo + 32, upHi + 32]);
  const lowLo = Math.max(lo, 0x61), lowHi = Math.min(hi, 0x7a);
  if (lowLo <= lowHi) out.push([lowLo - 32, lowHi - 32]);
  return out;
}

/** A code point as it can appear anywhere in a JS pattern (class or not, u flag or not). */
export function jsChar(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return String.fromCharCode(cp);
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

export function jsRanges(ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? jsChar(lo) : `${jsChar(lo)}-${jsChar(hi)}`)).join('');
}
