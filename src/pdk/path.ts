// kong.request.get_path(): the raw path normalised as Kong does (RFC 3986 §6.2.2): percent-escapes
// of unreserved characters decoded, other escapes upper-cased, dot segments removed, `//` merged.

function isUnreserved(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126;
}

function normalizeEscapes(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const c = parseInt(hex, 16);
    return isUnreserved(c) ? String.fromCharCode(c) : '%' + hex.toUpperCase();
  });
}

function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    if (seg === '.') { if (last) out.push(''); continue; }
    if (seg === '..') {
      if (out.length > 1) out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : '/' + joined;
}

export function normalizePath(rawPath: string): string {
  const merged = normalizeEscapes(rawPath).replace(/\/{2,}/g, '/');
  return removeDotSegments(merged);
}
