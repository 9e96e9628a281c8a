// Number parsing as LuaJIT's tonumber() does it (lj_strscan for base 10, strtoul for other bases).
// fengari's version follows Lua 5.3 (32-bit integers: tonumber("0xffffffff") == -1, no "inf"/"nan").

const SPACE = /^[ \t\n\v\f\r]*/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

function trimSpaces(s: string): string {
  return s.replace(SPACE, '').replace(/[ \t\n\v\f\r]*$/, '');
}

/** tonumber(s) for a string, base 10. Returns undefined when LuaJIT returns nil. */
export function scanLuaNumber(text: string): number | undefined {
  if (text.includes('\0')) return undefined;
  const s = trimSpaces(text);
  if (s.length === 0) return undefined;
  if (DECIMAL.test(s)) return Number(s);
  const hex = HEX.exec(s);
  if (hex) return scanHex(hex[1], hex[2], hex[3] ?? '', hex[4]);
  const special = SPECIAL.exec(s);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  return undefined;
}

function scanHex(sign: string, intDigits: string, fracDigits: string, exponent: string | undefined): number | undefined {
  if (intDigits.length + fracDigits.length === 0) return undefined;
  // Exact for up to 53 significant bits; beyond that parseInt rounding matches strtod closely enough.
  let value = intDigits.length > 0 ? parseInt(intDigits, 16) : 0;
  if (fracDigits.length > 0) value += parseInt(fracDigits, 16) / 16 ** fracDigits.length;
  if (exponent !== undefined) value *= 2 ** Number(exponent);
  return sign === '-' ? -value : value;
}

/** tonumber(s, base) for base in 2..36, other than 10: C strtoul on a trimmed string. */
export function scanInteger(text: string, base: number): number | undefined {
  let s = text;
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  s = s.replace(SPACE, '');
  let negative = false;
  if (s[0] === '-') { negative = true; s = s.slice(1); } else if (s[0] === '+') s = s.slice(1);
  if (!/^[0-9a-zA-Z]/.test(s)) return undefined;
  if (base === 16 && /^0[xX][0-9a-fA-F]/.test(s)) s = s.slice(2);
  let value = 0n;
  let i = 0;
  const big = BigInt(base);
  for (; i < s.length; i++) {
    const d = digitValue(s.charCodeAt(i));
    if (d >= base) break;
    value = value * big + BigInt(d);
  }
  if (i === 0) return undefined;
  if (!/^[ \t\n\v\f\r]*$/.test(s.slice(i))) return undefined;
  if (value > 0xffffffffffffffffn) value = 0xffffffffffffffffn;   // strtoul saturates at ULONG_MAX
  const n = Number(value);
  return negative ? -n : n;
}

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}
