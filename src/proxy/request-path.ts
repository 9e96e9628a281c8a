// Normalization of the request path before routing, as Kong does it: percent-encoded unreserved
// characters decoded, remaining escapes upper-cased, dot segments removed, repeated slashes merged.

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function decodeUnreserved(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9a-fA-F]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : '%' + hex.toUpperCase();
  });
}

function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      if (out.length > 0) out.pop();
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return '/' + out.join('/');
}

export function normalizePath(rawPath: string): string {
  let path = rawPath.startsWith('/') ? rawPath : '/' + rawPath;
  path = decodeUnreserved(path);
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (path.includes('/.')) path = removeDotSegments(path);
  return path;
}
