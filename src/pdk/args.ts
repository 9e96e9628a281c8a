// Query strings and form bodies as nginx reads and writes them (ngx.req.get_uri_args,
// ngx.encode_args, ngx.escape_uri): decoding keeps order and groups repeats, `+` is a space,
// malformed `%` escapes are kept, a bare key is `true`.

export type ArgValue = string | true;
/** Decoded arguments in first-seen key order; repeated keys hold arrays. */
export type Args = Map<string, ArgValue | ArgValue[]>;

const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Percent-decoding of one argument component; `+` becomes a space. */
export function unescapeArg(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 43 /* + */) { out[n++] = 32; continue; }
    if (c === 37 /* % */ && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]);
      const lo = hexValue(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) { out[n++] = hi * 16 + lo; i += 2; continue; }
    }
    out[n++] = c;
  }
  return decoder.decode(out.subarray(0, n));
}

/** Parses `a=1&b&c=` into ordered args, reading at most `max` arguments (0 = no limit). */
export function parseArgs(raw: string, max: number): Args {
  const args: Args = new Map();
  if (raw === '') return args;
  let count = 0;
  for (const segment of raw.split('&')) {
    if (segment === '') continue;
    if (max > 0 && count >= max) break;
    count++;
    const eq = segment.indexOf('=');
    const key = unescapeArg(eq < 0 ? segment : segment.slice(0, eq));
    if (key === '') continue;
    const value: ArgValue = eq < 0 ? true : unescapeArg(segment.slice(eq + 1));
    const existing = args.get(key);
    if (existing === undefined) args.set(key, value);
    else if (Array.isArray(existing)) existing.push(value);
    else args.set(key, [existing, value]);
  }
  return args;
}

/** ngx.escape_uri for a query component: everything but A-Z a-z 0-9 - . _ ~ is %XX-escaped. */
export function escapeUriComponent(text: string | Uint8Array): string {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  let out = '';
  for (const c of bytes) {
    const keep = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126;
    out += keep ? String.fromCharCode(c) : '%' + HEX[c >> 4] + HEX[c & 15];
  }
  return out;
}

/** One entry of an args table as ngx.encode_args renders it (`k=v`, bare `k`, repeats joined). */
export function encodeArg(key: string, value: ArgValue | false | readonly (ArgValue | false)[]): string {
  const k = escapeUriComponent(key);
  const one = (v: ArgValue | false): string | null => (v === true ? k : v === false ? null : `${k}=${escapeUriComponent(v)}`);
  if (Array.isArray(value)) return value.map(one).filter((s): s is string => s !== null).join('&');
  return one(value as ArgValue | false) ?? '';
}
