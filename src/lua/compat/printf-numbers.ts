// C printf conversions of doubles as LuaJIT's string.format performs them (its own formatter,
// not the C library's): 64-bit integer casts, exact %e/%f/%g, and a normalising %a.
import { formatG } from '../number-format';

export interface FormatSpec {
  minus: boolean; plus: boolean; space: boolean; hash: boolean; zero: boolean;
  width: number;      // -1 when absent
  precision: number;  // -1 when absent
  conversion: string; // one character: d i o u x X c s q a A e E f F g G p
}

const TWO_63 = 9223372036854775808;
const INT64_MIN = -(2n ** 63n);
const UINT64_MASK = 2n ** 64n - 1n;

/** (int64_t)n on x64: truncation, and INT64_MIN for NaN and out-of-range values. */
export function toInt64(n: number): bigint {
  if (!(n >= -TWO_63 && n < TWO_63)) return INT64_MIN;
  return BigInt(Math.trunc(n));
}

/** (uint64_t)n as gcc compiles it on x64 (negatives wrap through the signed conversion). */
export function toUint64(n: number): bigint {
  if (!(n >= TWO_63)) return BigInt.asUintN(64, toInt64(n));
  const high = n - TWO_63;
  const low = high < TWO_63 ? BigInt(Math.trunc(high)) : INT64_MIN;
  return (BigInt.asUintN(64, low) ^ (2n ** 63n)) & UINT64_MASK;
}

/** Applies width, '-' and '0' to a converted number: `sign` and `prefix` go before any zero padding. */
export function padNumber(spec: FormatSpec, sign: string, prefix: string, digits: string, zeroAllowed: boolean): string {
  const len = sign.length + prefix.length + digits.length;
  if (spec.width <= len) return sign + prefix + digits;
  const fill = spec.width - len;
  if (spec.minus) return sign + prefix + digits + ' '.repeat(fill);
  if (spec.zero && zeroAllowed) return sign + prefix + '0'.repeat(fill) + digits;
  return ' '.repeat(fill) + sign + prefix + digits;
}

export function padText(spec: FormatSpec, text: string): string {
  if (spec.width <= text.length) return text;
  const fill = ' '.repeat(spec.width - text.length);
  return spec.minus ? text + fill : fill + text;
}

function signOf(negative: boolean, spec: FormatSpec): string {
  return negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
}

export function formatSigned(n: number, spec: FormatSpec): string {
  if (spec.width < 0 && spec.precision < 0 && !spec.plus && !spec.space && Number.isSafeInteger(n)) {
    return Object.is(n, -0) ? '0' : String(n);
  }
  const value = Number.isSafeInteger(Math.trunc(n)) ? BigInt(Math.trunc(n)) : toInt64(n);
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (spec.precision >= 0) digits = spec.precision === 0 && value === 0n ? '' : digits.padStart(spec.precision, '0');
  return padNumber(spec, signOf(negative, spec), '', digits, spec.precision < 0);
}

export function formatUnsigned(n: number, spec: FormatSpec): string {
  const value = toUint64(n);
  const c = spec.conversion;
  const radix = c === 'o' ? 8 : c === 'u' ? 10 : 16;
  let digits = value.toString(radix);
  if (c === 'X') digits = digits.toUpperCase();
  if (spec.precision >= 0) digits = spec.precision === 0 && value === 0n ? '' : digits.padStart(spec.precision, '0');
  let prefix = '';
  if (spec.hash) {
    if (radix === 16 && value !== 0n) prefix = c === 'X' ? '0X' : '0x';
    else if (radix === 8 && !digits.startsWith('0')) digits = '0' + digits;
  }
  return padNumber(spec, '', prefix, digits, spec.precision < 0);
}

function nonFinite(n: number, spec: FormatSpec, upper: boolean): string {
  const body = Number.isNaN(n) ? 'nan' : 'inf';
  const sign = signOf(n < 0, spec);
  return padText(spec, sign + (upper ? body.toUpperCase() : body));
}

/** Exact %.<p>f digits of a non-negative finite double. */
function fixedDigits(abs: number, precision: number): string {
  if (abs < 1e21) return abs.toFixed(precision);
  const whole = BigInt(abs).toString();   // doubles this large are integers
  return precision > 0 ? `${whole}.${'0'.repeat(precision)}` : whole;
}

/** Exact %.<p>e of a non-negative finite double, with C's two-digit exponent. */
function expDigits(abs: number, precision: number, upper: boolean): string {
  const js = abs.toExponential(precision);
  const e = js.indexOf('e');
  const exp = Number(js.slice(e + 1));
  const mant = js.slice(0, e);
  const out = `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return upper ? out.toUpperCase() : out;
}

function withPoint(digits: string, hash: boolean): string {
  return hash && !digits.includes('.') ? digits.replace(/^(\d+)/, '$1.') : digits;
}

export function formatFloat(n: number, spec: FormatSpec): string {
  const c = spec.conversion;
  const upper = c === 'E' || c === 'F' || c === 'G';
  if (!Number.isFinite(n)) return nonFinite(n, spec, upper);
  const negative = n < 0 || Object.is(n, -0);
  const abs = Math.abs(n);
  const precision = spec.precision < 0 ? 6 : spec.precision;
  let digits: string;
  if (c === 'f' || c === 'F') digits = withPoint(fixedDigits(abs, precision), spec.hash);
  else if (c === 'e' || c === 'E') digits = withPoint(expDigits(abs, precision, upper), spec.hash);
  else digits = generalDigits(abs, precision, spec.hash, upper);
  return padNumber(spec, signOf(negative, spec), '', digits, true);
}

function generalDigits(abs: number, precision: number, hash: boolean, upper: boolean): string {
  if (!hash) return abs === 0 ? '0' : formatG(abs, precision === 0 ? 1 : precision, upper);
  const p = precision === 0 ? 1 : precision;
  const exp = abs === 0 ? 0 : Number(abs.toExponential(p - 1).split('e')[1]);
  if (exp < -4 || exp >= p) return withPoint(expDigits(abs, p - 1, upper), true);
  return withPoint(fixedDigits(abs, p - 1 - exp), true);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** %a as LuaJIT prints it: subnormals are normalised (0x1p-1074), trailing zero digits dropped. */
export function formatHexFloat(n: number, spec: FormatSpec): string {
  const upper = spec.conversion === 'A';
  if (!Number.isFinite(n)) return nonFinite(n, spec, upper);
  f64[0] = n;
  const negative = u32[1] >>> 31 === 1;
  let exponent = (u32[1] >>> 20) & 0x7ff;
  let mantissa = (BigInt(u32[1] & 0xfffff) << 32n) | BigInt(u32[0]);
  let lead = 1n;
  if (exponent === 0) {
    if (mantissa === 0n) { lead = 0n; exponent = 1023; } else {
      exponent = -1022 + 1023;
      while ((mantissa & (1n << 52n)) === 0n) { mantissa <<= 1n; exponent--; }
      mantissa &= (1n << 52n) - 1n;
    }
  }
  let hex = mantissa.toString(16).padStart(13, '0');
  if (spec.precision >= 0 && spec.precision < 13) {
    const shift = BigInt(52 - 4 * spec.precision);
    let rounded = (mantissa + (1n << (shift - 1n))) >> shift;
    if (rounded >> BigInt(4 * spec.precision) !== 0n) { lead += 1n; rounded &= (1n << BigInt(4 * spec.precision)) - 1n; }
    hex = spec.precision === 0 ? '' : rounded.toString(16).padStart(spec.precision, '0');
  } else if (spec.precision >= 13) hex = hex.padEnd(spec.precision, '0');
  else hex = hex.replace(/0+$/, '');
  const exp = lead === 0n && mantissa === 0n ? 0 : exponent - 1023;
  let digits = lead.toString() + (hex.length > 0 || spec.hash ? '.' + hex : '') + `p${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  let prefix = '0x';
  if (upper) { digits = digits.toUpperCase(); prefix = '0X'; }
  return padNumber(spec, signOf(negative, spec), prefix, digits, true);
}
