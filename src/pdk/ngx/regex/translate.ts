// Translates a PCRE pattern (as ngx.re receives it) into JS RegExp source. JS differs from PCRE in
// `.`, `$`, `^` (multiline), `\s`, `\v`, `[]...]`, scoped modifiers, atomic groups and possessive
// quantifiers; those are rewritten here. Captures are emitted unnamed and numbered at the end, so
// PCRE group numbers, names (duplicates too) and synthetic groups map cleanly onto JS groups.
import { CaselessScopeConflict, RegexSyntaxError } from './errors';
import { parseClass } from './translate-class';
import type { ClassContext } from './translate-class';
import { NEWLINE, jsChar, jsRanges } from './char-sets';
import { escapedCodePoint, spaceSet, unicodeProperty, unsupported, verticalSpace } from './translate-escape';

export interface ScopedFlags {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
  ungreedy: boolean;
}

export interface TranslateOptions extends ScopedFlags {
  readonly utf8: boolean;
  readonly dupnames: boolean;
}

export interface Translation {
  readonly source: string;
  /** JS flags besides g/y/d: `i` when the whole pattern is caseless, `u` in UTF-8 mode. */
  readonly flags: string;
  readonly captureCount: number;
  /** JS group index of PCRE group n (index 0 = whole match). */
  readonly jsGroupOf: readonly number[];
  /** Named groups in pattern order: name → PCRE group number. */
  readonly names: ReadonlyArray<readonly [string, number]>;
}

type Part = string | { readonly open: number } | { readonly ref: number } | { readonly refName: string };

interface OpenGroup {
  readonly start: number;         // index in parts where the group begins
  readonly saved: ScopedFlags;
  readonly close: Part[];
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

class Translator implements ClassContext {
  i = 0;
  private readonly parts: Part[] = [];
  private readonly stack: OpenGroup[] = [];
  private flags: ScopedFlags;
  private lastAtom: number | null = null;
  private captures = 0;
  private synthetic = 0;
  private readonly names: Array<[string, number]> = [];
  readonly max: number;

  constructor(readonly p: string, private readonly options: TranslateOptions, private readonly jsCaseless: boolean) {
    this.flags = { caseless: options.caseless, multiline: options.multiline, dotall: options.dotall, extended: options.extended, ungreedy: options.ungreedy };
    this.max = options.utf8 ? 0x10ffff : 0xff;
  }

  get utf8(): boolean {
    return this.options.utf8;
  }

  /** Whether letters must be expanded by hand ([aA]); throws when the JS `i` flag would be wrong. */
  emulateCase(): boolean {
    if (this.flags.caseless) return !this.jsCaseless;
    if (this.jsCaseless) throw new CaselessScopeConflict();
    return false;
  }

  run(): Translation {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i];
      if (this.flags.extended && this.skipExtendedSpace()) continue;
      switch (c) {
        case '\\': this.escape(); break;
        case '[': this.atom(parseClass(this)); break;
        case '(': this.openGroup(); break;
        case ')': this.closeGroup(); break;
        case '|': this.i++; this.emit('|'); break;
        case '^':
          this.i++;
          this.emit(this.flags.multiline ? '(?:^|(?<=\\n)(?=[\\s\\S]))' : '^');
          break;
        case '$':
          this.i++;
          this.emit(this.flags.multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))');
          break;
        case '.': this.i++; this.atom(this.flags.dotall ? '[\\s\\S]' : '[^\\n]'); break;
        case '*': case '+': case '?': this.i++; this.quantifier(c); break;
        case '{': {
          const q = /^\{\d+(?:,\d*)?\}/.exec(p.slice(this.i, this.i + 24));
          if (q) { this.i += q[0].length; this.quantifier(q[0]); } else { this.i++; this.literal(0x7b); }
          break;
        }
        default: this.literal(this.readCodePoint()); break;
      }
    }
    if (this.stack.length > 0) throw new RegexSyntaxError('missing closing parenthesis');
    return this.finish();
  }

  readCodePoint(): number {
    const cp = this.utf8 ? this.p.codePointAt(this.i)! : this.p.charCodeAt(this.i);
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private skipExtendedSpace(): boolean {
    const c = this.p[this.i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') { this.i++; return true; }
    if (c === '#') {
      const nl = this.p.indexOf('\n', this.i);
      this.i = nl === -1 ? this.p.length : nl + 1;
      return true;
    }
    return false;
  }

  private emit(...parts: Part[]): void {
    this.parts.push(...parts);
    this.lastAtom = null;
  }

  private atom(...parts: Part[]): void {
    const start = this.parts.length;
    this.parts.push(...parts);
    this.lastAtom = start;
  }

  literal(cp: number): void {
    const hasCase = (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp >= 0x80;
    if (hasCase && this.emulateCase() && cp < 0x80) {
      this.atom(`[${jsChar(cp)}${jsChar(cp ^ 0x20)}]`);
    } else {
      this.atom(jsChar(cp));
    }
  }

  private quantifier(q: string): void {
    if (this.lastAtom === null) throw new RegexSyntaxError('quantifier does not follow a repeatable item');
    let lazy = false;
    let possessive = false;
    if (this.p[this.i] === '?') { lazy = true; this.i++; } else if (this.p[this.i] === '+') { possessive = true; this.i++; }
    if (this.flags.ungreedy && !possessive) lazy = !lazy;
    if (possessive) {
      const id = this.newSynthetic();
      const atom = this.parts.splice(this.lastAtom);
      this.parts.push('(?=', { open: id }, ...atom, q, '))', { ref: id });
    } else {
      this.parts.push(lazy ? `${q}?` : q);
    }
    this.lastAtom = null;
  }

  private newSynthetic(): number {
    this.synthetic++;
    return -this.synthetic;
  }

  private escape(): void {
    const p = this.p;
    this.i++;
    if (this.i >= p.length) throw new RegexSyntaxError('\\ at end of pattern');
    const c = p[this.i];
    if (c === 'd' || c === 'D' || c === 'w' || c === 'W') { this.i++; this.atom(`\\${c}`); return; }
    const spaces = spaceSet(c, this.utf8, this.max);
    if (spaces !== null) { this.i++; this.atom(`[${jsRanges(spaces)}]`); return; }
    switch (c) {
      case 'b': case 'B': this.i++; this.emit(`\\${c}`); return;
      case 'A': this.i++; this.emit('(?<![\\s\\S])'); return;
      case 'z': this.i++; this.emit('(?![\\s\\S])'); return;
      case 'Z': this.i++; this.emit('(?=\\n?(?![\\s\\S]))'); return;
      case 'R': this.i++; this.atom(`(?:\\r\\n|[${jsRanges(verticalSpace(this.utf8))}])`); return;
      case 'N':
        if (p[this.i + 1] === '{') throw unsupported('\\N{name}');
        this.i++; this.atom(`[^${jsRanges(NEWLINE)}]`); return;
      case 'p': case 'P': this.i++; this.atom(unicodeProperty(this, c)); return;
      case 'Q': this.quoted(); return;
      case 'E': this.i++; return;
      case 'g': this.i++; this.groupReference(); return;
      case 'k': this.i++; this.namedReference(); return;
      case 'G': case 'K': case 'X': case 'C': throw unsupported(`\\${c}`);
      default: break;
    }
    if (isDigit(c)) { this.numericEscape(); return; }
    this.literal(escapedCodePoint(this));
  }

  /** \1..\99 back references, or octal escapes (\0, \012, \123 beyond the group count). */
  private numericEscape(): void {
    const p = this.p;
    if (p[this.i] === '0') {
      const oct = /^0[0-7]{0,2}/.exec(p.slice(this.i))![0];
      this.i += oct.length;
      this.literal(parseInt(oct, 8));
      return;
    }
    const digits = /^\d+/.exec(p.slice(this.i))![0];
    const n = Number(digits);
    if (n < 10 || n <= this.captures) {
      this.i += digits.length;
      this.backReference({ ref: n });
      return;
    }
    const oct = /^[0-7]{1,3}/.exec(digits);
    if (!oct) throw new RegexSyntaxError('reference to non-existent subpattern');
    this.i += oct[0].length;
    this.literal(parseInt(oct[0], 8) & 0xff);
  }

  private backReference(part: Part): void {
    if (this.emulateCase()) throw unsupported('a back reference inside a partly caseless pattern');
    this.atom(part);
  }

  /** \gN, \g{N}, \g{-N}, \g{name} (\g<...> and \g'...' are subroutine calls: unsupported). */
  private groupReference(): void {
    const p = this.p;
    if (p[this.i] === '<' || p[this.i] === "'") throw unsupported('subroutine calls (\\g<...>)');
    const braced = p[this.i] === '{';
    const m = braced ? /^\{(-?\d+|[A-Za-z_]\w*)\}/.exec(p.slice(this.i)) : /^-?\d+/.exec(p.slice(this.i));
    if (!m) throw new RegexSyntaxError('a numbered reference must not be zero');
    this.i += m[0].length;
    const ref = braced ? m[1] : m[0];
    if (/^-?\d+$/.test(ref)) {
      const n = Number(ref);
      const group = n < 0 ? this.captures + 1 + n : n;
      if (n === 0 || group < 1) throw new RegexSyntaxError('a numbered reference must not be zero');
      this.backReference({ ref: group });
    } else {
      this.backReference({ refName: ref });
    }
  }

  /** \k<name>, \k'name', \k{name} */
  private namedReference(): void {
    const m = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|\{([A-Za-z_]\w*)\})/.exec(this.p.slice(this.i));
    if (!m) throw new RegexSyntaxError('\\k is not followed by a braced, angle-bracketed, or quoted name');
    this.i += m[0].length;
    this.backReference({ refName: m[1] ?? m[2] ?? m[3] });
  }

  /** \Q...\E: every character literal. */
  private quoted(): void {
    this.i++;
    const end = this.p.indexOf('\\E', this.i);
    const stop = end === -1 ? this.p.length : end;
    while (this.i < stop) this.literal(this.readCodePoint());
    this.i = end === -1 ? stop : end + 2;
  }

  private openGroup(): void {
    const p = this.p;
    const start = this.parts.length;
    const saved = { ...this.flags };
    this.i++;
    if (p[this.i] === '*') { this.verb(); return; }
    if (p[this.i] !== '?') { this.capture(start, saved); return; }
    const rest = p.slice(this.i + 1, this.i + 4);
    if (rest.startsWith('#')) {
      const end = p.indexOf(')', this.i);
      if (end === -1) throw new RegexSyntaxError('missing ) after (?# comment');
      this.i = end + 1;
      return;
    }
    const simple: Record<string, string> = { ':': '(?:', '=': '(?=', '!': '(?!', '<=': '(?<=', '<!': '(?<!' };
    for (const key of ['<=', '<!', ':', '=', '!']) {
      if (rest.startsWith(key)) {
        this.i += 1 + key.length;
        this.push(start, saved, [simple[key]], [')']);
        return;
      }
    }
    if (rest.startsWith('>')) {
      this.i += 2;
      const id = this.newSynthetic();
      this.push(start, saved, ['(?=', { open: id }], ['))', { ref: id }]);
      return;
    }
    const named = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|P<([A-Za-z_]\w*)>)/.exec(p.slice(this.i + 1));
    if (named) {
      this.i += 1 + named[0].length;
      this.capture(start, saved, named[1] ?? named[2] ?? named[3]);
      return;
    }
    const nameRef = /^P=([A-Za-z_]\w*)\)/.exec(p.slice(this.i + 1));
    if (nameRef) {
      this.i += 1 + nameRef[0].length;
      this.backReference({ refName: nameRef[1] });
      return;
    }
    if (rest.startsWith('|')) throw unsupported('branch reset groups (?|...)');
    if (rest.startsWith('(')) throw unsupported('conditional groups (?(...)...)');
    if (rest.startsWith('C')) throw unsupported('callouts (?C...)');
    if (/^(?:R|[+-]?\d|&|P>)/.test(rest)) throw unsupported('recursion and subroutine calls');
    this.optionSetting(start, saved);
  }

  private push(start: number, saved: ScopedFlags, open: Part[], close: Part[]): void {
    this.parts.push(...open);
    this.lastAtom = null;
    this.stack.push({ start, saved, close });
  }

  private capture(start: number, saved: ScopedFlags, name?: string): void {
    this.captures++;
    if (name !== undefined) {
      if (!this.options.dupnames && this.names.some(([n]) => n === name)) {
        throw new RegexSyntaxError('two named subpatterns have the same name (PCRE2_DUPNAMES not set)');
      }
      this.names.push([name, this.captures]);
    }
    this.push(start, saved, [{ open: this.captures }], [')']);
  }

  /** (?i), (?-i), (?im-sx), (?i:...) and friends. */
  private optionSetting(start: number, saved: ScopedFlags): void {
    const m = /^([a-zA-Z^-]*)([:)])/.exec(this.p.slice(this.i + 1));
    if (!m) throw new RegexSyntaxError('unrecognized character after (? or (?-');
    let on = true;
    const next = { ...this.flags };
    for (const letter of m[1]) {
      switch (letter) {
        case '-': on = false; break;
        case '^': Object.assign(next, { caseless: false, multiline: false, dotall: false, extended: false }); break;
        case 'i': next.caseless = on; break;
        case 'm': next.multiline = on; break;
        case 's': next.dotall = on; break;
        case 'x': next.extended = on; break;
        case 'U': next.ungreedy = on; break;
        case 'J': if (on) (this.options as { dupnames: boolean }).dupnames = true; break;
        default: throw new RegexSyntaxError(`unrecognized character after (? or (?- (${letter})`);
      }
    }
    this.i += 1 + m[0].length;
    if (m[2] === ':') {
      this.push(start, saved, ['(?:'], [')']);
    } else {
      this.lastAtom = null;
    }
    this.flags = next;
  }

  /** Backtracking verbs: only (*FAIL)/(*F) translate. */
  private verb(): void {
    const m = /^\*([A-Z_]*)(?::[^)]*)?\)/.exec(this.p.slice(this.i));
    if (m && (m[1] === 'FAIL' || m[1] === 'F')) {
      this.i += m[0].length;
      this.atom('(?!)');
      return;
    }
    throw unsupported(`the verb (${m ? `*${m[1]}` : '*'})`);
  }

  private closeGroup(): void {
    const group = this.stack.pop();
    if (!group) throw new RegexSyntaxError('unmatched closing parenthesis');
    this.i++;
    this.parts.push(...group.close);
    this.flags = group.saved;
    this.lastAtom = group.start;
  }

  private finish(): Translation {
    const jsIndex = new Map<number, number>();
    let count = 0;
    for (const part of this.parts) if (typeof part === 'object' && 'open' in part) jsIndex.set(part.open, ++count);
    const groupOfName = (name: string): number => {
      const found = this.names.filter(([n]) => n === name);
      if (found.length === 0) throw new RegexSyntaxError(`reference to non-existent subpattern (${name})`);
      if (found.length > 1) throw unsupported('a back reference to a duplicated name');
      return found[0][1];
    };
    const source = this.parts.map((part) => {
      if (typeof part === 'string') return part;
      if ('open' in part) return '(';
      const group = 'ref' in part ? part.ref : groupOfName(part.refName);
      const js = jsIndex.get(group);
      if (js === undefined) throw new RegexSyntaxError('reference to non-existent subpattern');
      return `(?:\\${js})`;
    }).join('');
    const jsGroupOf = [0];
    for (let n = 1; n <= this.captures; n++) jsGroupOf.push(jsIndex.get(n)!);
    const flags = (this.jsCaseless ? 'i' : '') + (this.utf8 ? 'u' : '');
    return { source, flags, captureCount: this.captures, jsGroupOf, names: this.names };
  }
}

const LEADING_CASELESS = /^\(\?[a-zA-Z]*i[a-zA-Z]*\)/;

/** Translates `pattern` (one JS char per byte, or decoded UTF-16 text in UTF-8 mode). */
export function translatePcre(pattern: string, options: TranslateOptions): Translation {
  const tryCaseless = options.caseless || LEADING_CASELESS.test(pattern);
  try {
    return new Translator(pattern, { ...options }, tryCaseless).run();
  } catch (err) {
    if (!(err instanceof CaselessScopeConflict)) throw err;
    return new Translator(pattern, { ...options }, false).run();
  }
}
