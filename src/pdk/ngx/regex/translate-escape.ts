// Escapes shared by the pattern body and character classes: single characters (\n, \x{..}, \cX,
// \., ...), PCRE's space sets (\s \h \v and negations) and Unicode properties.
import { RegexSyntaxError } from './errors';
import {
  PCRE_HSPACE, PCRE_HSPACE_UNICODE, PCRE_SPACE, PCRE_VSPACE, PCRE_VSPACE_UNICODE, complement,
} from './char-sets';
import type { Range } from './char-sets';

/** A position in a pattern being translated. */
export interface Cursor {
  readonly p: string;
  i: number;
  readonly utf8: boolean;
  /** Largest code point of the mode: 0xFF for byte patterns, 0x10FFFF with "u". */
  readonly max: number;
  readCodePoint(): number;
}

export const unsupported = (what: string): RegexSyntaxError => new RegexSyntaxError(`${what} is not supported by luagate`);

export function horizontalSpace(utf8: boolean): Range[] {
  return utf8 ? [...PCRE_HSPACE, ...PCRE_HSPACE_UNICODE] : PCRE_HSPACE;
}

export function verticalSpace(utf8: boolean): Range[] {
  return utf8 ? [...PCRE_VSPACE, ...PCRE_VSPACE_UNICODE] : PCRE_VSPACE;
}

/** The ranges of \s \S \h \H \v \V; null for other letters. */
export function spaceSet(c: string, utf8: boolean, max: number): Range[] | null {
  switch (c) {
    case 's': return PCRE_SPACE;
    case 'S': return complement(PCRE_SPACE, max);
    case 'h': return horizontalSpace(utf8);
    case 'H': return complement(horizontalSpace(utf8), max);
    case 'v': return verticalSpace(utf8);
    case 'V': return complement(verticalSpace(utf8), max);
    default: return null;
  }
}

/** \p{..} / \P{..} / \pL after the letter `c` (only with "u"), as JS source. */
export function unicodeProperty(cur: Cursor, c: string): string {
  if (!cur.utf8) throw unsupported(`\\${c} without the "u" option`);
  const m = /^\{\^?[A-Za-z_&]+\}|^[A-Za-z]/.exec(cur.p.slice(cur.i));
  if (!m) throw new RegexSyntaxError('malformed \\P or \\p sequence');
  cur.i += m[0].length;
  let name = m[0].startsWith('{') ? m[0].slice(1, -1) : m[0];
  let negate = c === 'P';
  if (name.startsWith('^')) { negate = !negate; name = name.slice(1); }
  if (name === 'L&') name = 'LC';
  return `\\${negate ? 'P' : 'p'}{${name}}`;
}

function checked(cur: Cursor, cp: number): number {
  if (cp > cur.max) throw new RegexSyntaxError('character code point value in \\x{} or \\o{} is too large');
  return cp;
}

const FIXED: Readonly<Record<string, number>> = { a: 7, e: 0x1b, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 };

/** The code point of an escape that stands for one character; the cursor is just past the `\`. */
export function escapedCodePoint(cur: Cursor): number {
  const p = cur.p;
  const c = p[cur.i];
  if (c in FIXED) { cur.i++; return FIXED[c]; }
  if (c === 'x') {
    cur.i++;
    if (p[cur.i] === '{') {
      const end = p.indexOf('}', cur.i);
      const hex = end === -1 ? '' : p.slice(cur.i + 1, end);
      if (!/^[0-9A-Fa-f]+$/.test(hex)) throw new RegexSyntaxError('\\x{ is not followed by hexadecimal digits and }');
      cur.i = end + 1;
      return checked(cur, parseInt(hex, 16));
    }
    const m = /^[0-9A-Fa-f]{0,2}/.exec(p.slice(cur.i))![0];
    cur.i += m.length;
    return m === '' ? 0 : parseInt(m, 16);
  }
  if (c === 'o' && p[cur.i + 1] === '{') {
    const end = p.indexOf('}', cur.i);
    const oct = end === -1 ? '' : p.slice(cur.i + 2, end);
    if (!/^[0-7]+$/.test(oct)) throw new RegexSyntaxError('\\o{ is not followed by octal digits and }');
    cur.i = end + 1;
    return checked(cur, parseInt(oct, 8));
  }
  if (c === 'c') {
    const ctl = p[cur.i + 1];
    if (ctl === undefined || ctl.charCodeAt(0) > 0x7e) throw new RegexSyntaxError('\\c must be followed by a printable ASCII character');
    cur.i += 2;
    return ctl.toUpperCase().charCodeAt(0) ^ 0x40;
  }
  if (/[A-Za-z]/.test(c)) throw new RegexSyntaxError(`unrecognized character follows \\ (\\${c})`);
  return cur.readCodePoint();
}
