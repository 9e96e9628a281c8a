// Kong schemas express `match` rules as Lua patterns (e.g. `^%u+$`). This translates the
// subset Kong schemas use (classes, sets, anchors, quantifiers) into an equivalent RegExp,
// once per schema field.

const CLASS_MAP: Readonly<Record<string, string>> = {
  a: 'A-Za-z',
  c: '\\x00-\\x1f\\x7f',
  d: '0-9',
  g: '\\x21-\\x7e',
  l: 'a-z',
  p: '!-\\/:-@\\[-`{-~',
  s: '\\t\\n\\v\\f\\r ',
  u: 'A-Z',
  w: 'A-Za-z0-9',
  x: '0-9A-Fa-f',
};

export class LuaPatternError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`unsupported Lua pattern '${pattern}': ${reason}`);
    this.name = 'LuaPatternError';
  }
}

function escapeForRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** `%x` inside or outside a set: a class (positive or negated) or an escaped literal. */
function translatePercent(letter: string, inSet: boolean, pattern: string): string {
  const lower = letter.toLowerCase();
  const range = CLASS_MAP[lower];
  if (range === undefined) {
    if (/[A-Za-z0-9]/.test(letter)) throw new LuaPatternError(pattern, `unknown class %${letter}`);
    return escapeForRegExp(letter);
  }
  const negated = letter !== lower;
  if (inSet) {
    if (negated) throw new LuaPatternError(pattern, `negated class %${letter} inside a set`);
    return range;
  }
  return negated ? `[^${range}]` : `[${range}]`;
}

export function luaPatternToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '^' && i === 0) {
      out += '^';
      i += 1;
    } else if (ch === '$' && i === pattern.length - 1) {
      out += '$';
      i += 1;
    } else if (ch === '%') {
      const next = pattern[i + 1];
      if (next === undefined) throw new LuaPatternError(pattern, 'ends with %');
      out += translatePercent(next, false, pattern);
      i += 2;
    } else if (ch === '[') {
      const [set, end] = translateSet(pattern, i);
      out += set;
      i = end;
    } else if (ch === '.') {
      out += '[\\s\\S]';
      i += 1;
    } else if (ch === '*' || ch === '+' || ch === '?') {
      out += ch;
      i += 1;
    } else if (ch === '-') {
      out += '*?';
      i += 1;
    } else {
      out += escapeForRegExp(ch);
      i += 1;
    }
  }
  return new RegExp(out);
}

function translateSet(pattern: string, start: number): [string, number] {
  let i = start + 1;
  let out = '[';
  if (pattern[i] === '^') {
    out += '^';
    i += 1;
  }
  let first = true;
  while (i < pattern.length && (pattern[i] !== ']' || first)) {
    const ch = pattern[i];
    first = false;
    if (ch === '%') {
      const next = pattern[i + 1];
      if (next === undefined) throw new LuaPatternError(pattern, 'ends with %');
      out += translatePercent(next, true, pattern);
      i += 2;
    } else if (pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
      out += `${escapeForRegExp(ch)}-${escapeForRegExp(pattern[i + 2])}`;
      i += 3;
    } else {
      out += escapeForRegExp(ch);
      i += 1;
    }
  }
  if (pattern[i] !== ']') throw new LuaPatternError(pattern, 'missing ]');
  return [`${out}]`, i + 1];
}
