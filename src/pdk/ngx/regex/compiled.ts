// Compiled ngx.re patterns: option parsing, a bounded cache (lua_regex_cache_max_entries = 1024),
// and matching on byte strings. Without "u" a subject is matched as one JS char per byte, so
// offsets are byte offsets and binary data survives; with "u" it is decoded as UTF-8 and offsets
// are mapped back to bytes.
import { bytesToLatin1, latin1ToBytes } from '../../../lua/compat/lua-helpers';
import { needsIsolation, profileBacktracking } from './backtrack-bound';
import type { BacktrackProfile } from './backtrack-bound';
import { RegexSyntaxError } from './errors';
import { execAllIsolated, execIsolated } from './isolated-matcher';
import type { IsolatedMatch } from './isolated-matcher';
import { translatePcre } from './translate';
import type { Translation } from './translate';

export class RegexOptionError extends Error {}

export interface RegexOptions {
  readonly caseless: boolean;
  readonly multiline: boolean;
  readonly dotall: boolean;
  readonly extended: boolean;
  readonly utf8: boolean;
  readonly anchored: boolean;
  readonly dfa: boolean;
  readonly dupnames: boolean;
}

const OPTION_LETTERS = new Set(['o', 'j', 'i', 's', 'm', 'u', 'U', 'x', 'd', 'a', 'D', 'J']);

export function parseRegexOptions(opts: string): RegexOptions {
  for (const letter of opts) {
    if (!OPTION_LETTERS.has(letter)) throw new RegexOptionError(`unknown flag "${letter}" (flags "${opts}")`);
  }
  return {
    caseless: opts.includes('i'), multiline: opts.includes('m'), dotall: opts.includes('s'),
    extended: opts.includes('x'), utf8: opts.includes('u') || opts.includes('U'), anchored: opts.includes('a'),
    dfa: opts.includes('d'), dupnames: opts.includes('D'),
  };
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** A subject prepared once for any number of matches (gsub, gmatch). */
export class Subject {
  readonly text: string;
  /** UTF-8 mode: byte offset of every UTF-16 index (length text.length + 1). */
  private readonly byteAt: Uint32Array | null;

  constructor(readonly bytes: Uint8Array, readonly utf8: boolean) {
    if (!utf8) {
      this.text = bytesToLatin1(bytes);
      this.byteAt = null;
      return;
    }
    this.text = utf8Decoder.decode(bytes);
    const map = new Uint32Array(this.text.length + 1);
    let offset = 0;
    for (let i = 0; i < this.text.length; i++) {
      map[i] = offset;
      const cu = this.text.charCodeAt(i);
      if (cu < 0x80) offset += 1;
      else if (cu < 0x800) offset += 2;
      else if (cu >= 0xd800 && cu <= 0xdbff) { map[++i] = offset; offset += 4; }
      else offset += 3;
    }
    map[this.text.length] = offset;
    this.byteAt = map;
  }

  get length(): number {
    return this.bytes.length;
  }

  byteOffset(index: number): number {
    return this.byteAt ? this.byteAt[index] : index;
  }

  /** The first text index at or after byte offset `byte`. */
  textIndex(byte: number): number {
    const map = this.byteAt;
    if (!map) return byte;
    let lo = 0, hi = map.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (map[mid] < byte) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  toBytes(text: string): Uint8Array {
    return this.utf8 ? utf8Encoder.encode(text) : latin1ToBytes(text);
  }
}

export class SubjectEncodingError extends Error {}

export function prepareSubject(bytes: Uint8Array, utf8: boolean): Subject {
  try {
    return new Subject(bytes, utf8);
  } catch {
    throw new SubjectEncodingError('bad UTF-8 subject string');
  }
}

/** One successful match: byte offsets per PCRE group (-1 = did not participate). */
export interface RegexMatch {
  readonly start: number;
  readonly end: number;
  /** Captured bytes per PCRE group (index 0 = whole match); null = group did not participate. */
  readonly groups: ReadonlyArray<Uint8Array | null>;
}

/** What a match yields: RegExp.exec's array, or the same parts from the isolated matcher. */
type MatchArray = ArrayLike<string | undefined> & {
  readonly index: number;
  readonly indices?: ArrayLike<readonly [number, number] | undefined>;
};

function matchArray(reply: IsolatedMatch): MatchArray {
  return Object.assign([...reply.groups], { index: reply.index, indices: reply.indices });
}

export class CompiledRegex {
  private readonly regex: RegExp;
  private indexed: RegExp | null = null;
  private readonly backtracking: BacktrackProfile;

  constructor(readonly translation: Translation, readonly options: RegexOptions) {
    this.regex = new RegExp(translation.source, this.jsFlags(''));
    this.backtracking = profileBacktracking(translation.source, options.anchored);
  }

  /**
   * Runs `re` from text index `from`: in place, or, when the pattern could backtrack for long on
   * this subject, on the isolated matcher, which stops it at the time limit (RegexMatchLimitError).
   */
  private run(re: RegExp, subject: Subject, from: number): MatchArray | null {
    const text = subject.text;
    if (this.isolates(subject, from)) {
      const reply = execIsolated(this.translation.source, re.flags, text, from);
      if (reply !== undefined) return reply === null ? null : matchArray(reply);
    }
    re.lastIndex = from;
    return re.exec(text);
  }

  private isolates(subject: Subject, from: number): boolean {
    return needsIsolation(this.backtracking, subject.text.length - from);
  }

  /**
   * When matching this subject from byte `start` on could backtrack for long: every match from
   * there, found in one round trip to the isolated matcher (gsub and gmatch would otherwise pay a
   * round trip per match). null when the caller can step through the matches in place with exec.
   */
  private isolatedMatches(subject: Subject, start: number): RegexMatch[] | null {
    const from = subject.textIndex(start);
    if (start > subject.length || !this.isolates(subject, from)) return null;
    const replies = execAllIsolated(this.translation.source, this.regex.flags, subject.text, from);
    return replies === undefined ? null : replies.map((reply) => this.toMatch(subject, matchArray(reply)));
  }

  /**
   * Steps through the matches of `subject` from byte `start` on, as gsub and gmatch do: `next(from)`
   * is the match at or after `from`. Where the pattern must run isolated, every match is found in
   * the first step's one round trip and handed out in order; otherwise each step matches in place.
   */
  stepper(subject: Subject, start: number): (from: number) => RegexMatch | null {
    let batch: RegexMatch[] | null | undefined;
    let taken = 0;
    return (from) => {
      if (batch === undefined) batch = this.isolatedMatches(subject, start);
      return batch === null ? this.exec(subject, from) : batch[taken++] ?? null;
    };
  }

  get captureCount(): number {
    return this.translation.captureCount;
  }

  private jsFlags(extra: string): string {
    return this.translation.flags + (this.options.anchored ? 'y' : 'g') + extra;
  }

  /** Matches at or after byte `start`; null when there is no match. */
  exec(subject: Subject, start: number): RegexMatch | null {
    if (start > subject.length) return null;
    const m = this.run(this.regex, subject, subject.textIndex(start));
    return m === null ? null : this.toMatch(subject, m);
  }

  private toMatch(subject: Subject, m: MatchArray): RegexMatch {
    const startByte = subject.byteOffset(m.index);
    const endByte = subject.byteOffset(m.index + (m[0] as string).length);
    const wantGroups = this.options.dfa ? 0 : this.translation.captureCount;
    const groups: Array<Uint8Array | null> = [subject.bytes.slice(startByte, endByte)];
    for (let n = 1; n <= wantGroups; n++) {
      const text = m[this.translation.jsGroupOf[n]];
      groups.push(text === undefined ? null : subject.toBytes(text));
    }
    return { start: startByte, end: endByte, groups };
  }

  /** Byte span [from, to) of group `n` of the match at or after `start`; needs group indices. */
  span(subject: Subject, start: number, n: number): readonly [number, number] | null | 'nomatch' {
    if (start > subject.length) return 'nomatch';
    this.indexed ??= new RegExp(this.translation.source, this.jsFlags('d'));
    const m = this.run(this.indexed, subject, subject.textIndex(start));
    if (m === null) return 'nomatch';
    const span = m.indices![this.translation.jsGroupOf[n]];
    if (span === undefined) return null;
    return [subject.byteOffset(span[0]), subject.byteOffset(span[1])];
  }

  /** Byte offset where the match following `match` may start (past an empty match). */
  static resumeAfter(match: RegexMatch): number {
    return match.end === match.start ? match.end + 1 : match.end;
  }
}

const CACHE_LIMIT = 1024;
const cache = new Map<string, CompiledRegex | RegexSyntaxError>();

/**
 * Compiles (or takes from the cache) `pattern` with `opts`. Throws RegexOptionError for an
 * unknown option letter (a Lua error in OpenResty) and RegexSyntaxError for a bad pattern.
 */
export function compileRegex(pattern: Uint8Array, opts: string): CompiledRegex {
  const key = `${opts}\0${bytesToLatin1(pattern)}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = compileUncached(pattern, parseRegexOptions(opts));
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, entry);
  }
  if (entry instanceof RegexSyntaxError) throw entry;
  return entry;
}

function compileUncached(pattern: Uint8Array, options: RegexOptions): CompiledRegex | RegexSyntaxError {
  let text: string;
  if (options.utf8) {
    try {
      text = utf8Decoder.decode(pattern);
    } catch {
      return new RegexSyntaxError('UTF-8 error: invalid UTF-8 string in the pattern');
    }
  } else {
    text = bytesToLatin1(pattern);
  }
  try {
    const translation = translatePcre(text, { ...options, ungreedy: false });
    return new CompiledRegex(translation, options);
  } catch (err) {
    if (err instanceof RegexSyntaxError) return err;
    if (err instanceof SyntaxError) return new RegexSyntaxError(err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ''));
    throw err;
  }
}
