// PCRE character classes → JS classes: a leading `]` is literal, POSIX [:name:] classes expand to
// ranges (negated ones too), \s \h \v keep PCRE's sets, and (?i) on part of a pattern adds the
// other-case letters explicitly.
import { RegexSyntaxError } from './errors';
import { POSIX_CLASSES, complement, jsRanges, otherCaseRanges } from './char-sets';
import type { Range } from './char-sets';
import { escapedCodePoint, spaceSet, unicodeProperty } from './translate-escape';
import type { Cursor } from './translate-escape';

export interface ClassContext extends Cursor {
  /** Whether letters need their other case added by hand (partly caseless pattern). */
  emulateCase(): boolean;
}

/** One class member: a character, or a set already spelled for JS (\d, ranges of [:alpha:]...). */
type Item = { readonly cp: number } | { readonly js: string };

function readItem(ctx: ClassContext): Item {
  const p = ctx.p;
  if (p.startsWith('[:', ctx.i) || p.startsWith('[=', ctx.i) || p.startsWith('[.', ctx.i)) {
    const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(ctx.i));
    if (!m) {
      if (p[ctx.i + 1] !== ':') throw new RegexSyntaxError('POSIX collating elements are not supported');
    } else {
      const ranges = POSIX_CLASSES[m[2]];
      if (!ranges) throw new RegexSyntaxError(`unknown POSIX class name (${m[2]})`);
      ctx.i += m[0].length;
      return { js: jsRanges(m[1] ? complement(ranges, ctx.max) : ranges) };
    }
  }
  if (p[ctx.i] !== '\\') return { cp: ctx.readCodePoint() };
  ctx.i++;
  const c = p[ctx.i];
  if (c === undefined) throw new RegexSyntaxError('\\ at end of pattern');
  switch (c) {
    case 'd': case 'D': case 'w': case 'W': ctx.i++; return { js: `\\${c}` };
    case 'p': case 'P': ctx.i++; return { js: unicodeProperty(ctx, c) };
    case 'b': ctx.i++; return { cp: 0x08 };
    case 'Q': case 'E': throw new RegexSyntaxError('\\Q...\\E inside a character class is not supported by luagate');
    case 'R': case 'X': case 'N': case 'B': throw new RegexSyntaxError(`escape sequence is invalid in character class (\\${c})`);
    default: break;
  }
  const spaces = spaceSet(c, ctx.utf8, ctx.max);
  if (spaces !== null) { ctx.i++; return { js: jsRanges(spaces) }; }
  if (c >= '0' && c <= '7') {
    const oct = /^[0-7]{1,3}/.exec(p.slice(ctx.i))![0];
    ctx.i += oct.length;
    return { cp: parseInt(oct, 8) & (ctx.utf8 ? 0x1ff : 0xff) };
  }
  return { cp: escapedCodePoint(ctx) };
}

/** Parses a class starting at `[` and returns its JS spelling. */
export function parseClass(ctx: ClassContext): string {
  const p = ctx.p;
  ctx.i++;
  let negate = false;
  if (p[ctx.i] === '^') { negate = true; ctx.i++; }
  const ranges: Range[] = [];
  const sets: string[] = [];
  let first = true;
  for (;;) {
    if (ctx.i >= p.length) throw new RegexSyntaxError('missing terminating ] for character class');
    if (p[ctx.i] === ']' && !first) { ctx.i++; break; }
    first = false;
    const item = readItem(ctx);
    if ('js' in item) { sets.push(item.js); continue; }
    if (p[ctx.i] === '-' && ctx.i + 1 < p.length && p[ctx.i + 1] !== ']') {
      const save = ctx.i;
      ctx.i++;
      const end = readItem(ctx);
      if ('cp' in end) {
        if (end.cp < item.cp) throw new RegexSyntaxError('range out of order in character class');
        ranges.push([item.cp, end.cp]);
        continue;
      }
      ctx.i = save; // `[a-\d]`: the hyphen is literal
    }
    ranges.push([item.cp, item.cp]);
  }
  const hasLetters = ranges.some(([lo, hi]) => otherCaseRanges(lo, hi).length > 0 || hi >= 0x80) || sets.length > 0;
  if (hasLetters && ctx.emulateCase()) {
    for (const [lo, hi] of [...ranges]) ranges.push(...otherCaseRanges(lo, hi));
  }
  const body = jsRanges(ranges) + sets.join('');
  if (body === '') return negate ? '[\\s\\S]' : '(?!)';
  return `[${negate ? '^' : ''}${body}]`;
}

