// Byte-level URI escaping and query-string parsing as nginx/lua-nginx-module do it. Pure functions
// over Uint8Array; the Lua bindings live in args.ts.

const HEX = '0123456789ABCDEF';

/** ngx.escape_uri types luagate implements: 0 = URI (nginx's `uri` table), 2 = URI component. */
export type EscapeType = 0 | 2;

const COMPONENT_KEEP = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-._~]/.test(ch)) COMPONENT_KEEP[c] = 1;
}

const URI_KEEP = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) URI_KEEP[c] = 1;
for (const ch of ' #%?') URI_KEEP[ch.charCodeAt(0)] = 0;

export function escapeUri(src: Uint8Array, type: EscapeType = 2): Uint8Array {
  const keep = type === 2 ? COMPONENT_KEEP : URI_KEEP;
  let escaped = 0;
  for (let i = 0; i < src.length; i++) if (!keep[src[i]]) escaped++;
  if (escaped === 0) return src;
  const out = new Uint8Array(src.length + escaped * 2);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (keep[c]) {
      out[o++] = c;
    } else {
      out[o++] = 0x25;
      out[o++] = HEX.charCodeAt(c >> 4);
      out[o++] = HEX.charCodeAt(c & 15);
    }
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** `%XX` decoded (either case), `+` becomes a space, a `%` not followed by two hex digits is kept. */
export function unescapeUri(src: Uint8Array, from = 0, to = src.length): Uint8Array {
  const out = new Uint8Array(to - from);
  let o = 0;
  for (let i = from; i < to; i++) {
    const c = src[i];
    if (c === 0x2b) {
      out[o++] = 0x20;
    } else if (c === 0x25 && i + 2 < to && hexValue(src[i + 1]) >= 0 && hexValue(src[i + 2]) >= 0) {
      out[o++] = (hexValue(src[i + 1]) << 4) | hexValue(src[i + 2]);
      i += 2;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

/** One decoded query argument: a bare `key` has value `true`. */
export interface QueryArg {
  readonly key: Uint8Array;
  readonly value: Uint8Array | true;
}

export interface ParsedQuery {
  readonly args: QueryArg[];
  readonly truncated: boolean;
}

/**
 * Splits `a=1&b&c=` into arguments (ngx.decode_args / ngx.req.get_uri_args): keys and values
 * unescaped, empty keys dropped, at most `maxArgs` arguments (0 = no limit).
 */
export function parseQuery(src: Uint8Array, maxArgs: number): ParsedQuery {
  const args: QueryArg[] = [];
  let start = 0;
  while (start <= src.length) {
    let end = src.indexOf(0x26, start);
    if (end === -1) end = src.length;
    if (end > start) {
      if (maxArgs !== 0 && args.length >= maxArgs) return { args, truncated: true };
      const eq = src.subarray(start, end).indexOf(0x3d);
      if (eq === -1) {
        args.push({ key: unescapeUri(src, start, end), value: true });
      } else if (eq > 0) {
        args.push({ key: unescapeUri(src, start, start + eq), value: unescapeUri(src, start + eq + 1, end) });
      }
    }
    start = end + 1;
  }
  return { args, truncated: false };
}
