// A faster "%.<p>g" for the values JSON and string building meet most (integers and ordinary
// decimals); everything else goes to the exact formatG. Same output, checked in compat specs.
import { formatG } from '../number-format';

const POW10 = Array.from({ length: 18 }, (_, i) => 10 ** i);

export function formatNumberG(n: number, precision: number): string {
  const abs = n < 0 ? -n : n;
  if (abs < POW10[precision] && abs >= 1e-4) {
    if (Number.isInteger(n)) return String(n);
    // toPrecision uses fixed notation for exponents in [-6, precision): C %g does for [-4, precision).
    const s = n.toPrecision(precision);
    if (s.indexOf('e') < 0) {
      if (s.indexOf('.') < 0) return s;
      let end = s.length;
      while (s.charCodeAt(end - 1) === 48) end--;
      if (s.charCodeAt(end - 1) === 46) end--;
      return end === s.length ? s : s.slice(0, end);
    }
  }
  return formatG(n, precision);
}
