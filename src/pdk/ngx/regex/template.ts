// Replacement templates of ngx.re.sub/gsub: `$0`..`$N` and `${N}` insert captures, `$$` is a
// dollar sign. As in lua-nginx-module, named references (`$name`, `${name}`) and a dangling `$`
// fail to compile.
import { bytesToLatin1 } from '../../../lua/compat/lua-helpers';

/** Literal bytes or a capture number. */
export type TemplatePart = Uint8Array | number;

const DOLLAR = 0x24;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isNameChar = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

export function compileTemplate(src: Uint8Array): TemplatePart[] | null {
  const parts: TemplatePart[] = [];
  let i = 0;
  let literalStart = 0;
  const flush = (end: number): void => {
    if (end > literalStart) parts.push(src.slice(literalStart, end));
  };
  while (i < src.length) {
    if (src[i] !== DOLLAR) { i++; continue; }
    flush(i);
    i++;
    if (i >= src.length) return null;
    if (src[i] === DOLLAR) { parts.push(Uint8Array.of(DOLLAR)); i++; literalStart = i; continue; }
    const braced = src[i] === 0x7b;
    if (braced) i++;
    const nameStart = i;
    while (i < src.length && (braced ? src[i] !== 0x7d : isDigit(src[i]))) {
      if (braced && !isNameChar(src[i])) break;
      i++;
    }
    const name = src.subarray(nameStart, i);
    if (braced) {
      if (src[i] !== 0x7d) return null;
      i++;
    }
    if (name.length === 0 || !name.every(isDigit)) return null;
    parts.push(Number(bytesToLatin1(name)));
    literalStart = i;
  }
  flush(i);
  return parts;
}

/** Concatenates the template for one match; missing or unmatched captures add nothing. */
export function expandTemplate(parts: readonly TemplatePart[], groups: ReadonlyArray<Uint8Array | null>): Uint8Array[] {
  return parts.map((part) => (typeof part === 'number' ? groups[part] ?? EMPTY : part));
}

const EMPTY = new Uint8Array(0);
