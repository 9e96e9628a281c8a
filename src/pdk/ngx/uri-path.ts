// nginx's $uri: the request path percent-decoded, with `//` merged and `.`/`..` segments resolved.
// Works on bytes, since a decoded path need not be UTF-8.
const encoder = new TextEncoder();

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function percentDecode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x25 && i + 2 < src.length && hexValue(src[i + 1]) >= 0 && hexValue(src[i + 2]) >= 0) {
      out[o++] = (hexValue(src[i + 1]) << 4) | hexValue(src[i + 2]);
      i += 2;
    } else {
      out[o++] = src[i];
    }
  }
  return out.subarray(0, o);
}

export function normalizeUriPath(rawPath: string): Uint8Array {
  const decoded = percentDecode(encoder.encode(rawPath));
  const segments: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= decoded.length; i++) {
    if (i < decoded.length && decoded[i] !== 0x2f) continue;
    const segment = decoded.subarray(start, i);
    start = i + 1;
    if (segment.length === 0 || (segment.length === 1 && segment[0] === 0x2e)) continue;
    if (segment.length === 2 && segment[0] === 0x2e && segment[1] === 0x2e) { segments.pop(); continue; }
    segments.push(segment);
  }
  const trailingSlash = decoded.length > 1 && (decoded[decoded.length - 1] === 0x2f
    || /\/\.\.?$/.test(Buffer.from(decoded.subarray(Math.max(0, decoded.length - 3))).toString('latin1')));
  let size = 1;
  for (const s of segments) size += s.length + 1;
  const out = new Uint8Array(size);
  let o = 0;
  for (const s of segments) { out[o++] = 0x2f; out.set(s, o); o += s.length; }
  if (segments.length === 0 || trailingSlash) out[o++] = 0x2f;
  return out.subarray(0, o);
}
