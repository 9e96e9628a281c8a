// LuaJIT prints numbers with C's "%.14g". fengari's default (toPrecision + String) prints
// "1000000000000000" for 1e15 and "Infinity" for 1/0; this is the exact C behaviour.

/** Formats like C printf("%.<precision>g", n), with LuaJIT's spelling of inf and nan. */
export function formatG(n: number, precision = 14, upper = false): string {
  if (Number.isNaN(n)) return upper ? 'NAN' : 'nan';
  if (n === Infinity) return upper ? 'INF' : 'inf';
  if (n === -Infinity) return upper ? '-INF' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  // Integers that fit in p digits: the common case, no exponent and no fraction.
  if (Number.isInteger(n) && Math.abs(n) < 10 ** p) return String(n);
  const exp = n.toExponential(p - 1);           // d.ddddde±x, correctly rounded
  const ePos = exp.indexOf('e');
  const x = Number(exp.slice(ePos + 1));
  let out: string;
  if (x < -4 || x >= p) {
    let mant = exp.slice(0, ePos);
    if (mant.includes('.')) mant = mant.replace(/\.?0+$/, '');
    const sign = x < 0 ? '-' : '+';
    const digits = String(Math.abs(x)).padStart(2, '0');
    out = `${mant}e${sign}${digits}`;
  } else {
    out = n.toFixed(Math.max(0, p - 1 - x));
    if (out.includes('.')) out = out.replace(/\.?0+$/, '');
  }
  return upper ? out.toUpperCase() : out;
}
