// URL checks with the wording of Kong's `url` typedef ("missing host in url", "missing scheme
// in url"), used for request-callout literal URLs and for the service `url` shorthand.

export interface ParsedUrl {
  readonly scheme: string;
  readonly host: string;
  readonly port: number | null;
  readonly path: string | null;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Splits as Kong's URL parser does: optional `scheme:`, then `//authority` (else no host). */
export function parseUrl(url: string): ParsedUrl | { readonly error: string } {
  const schemeMatch = SCHEME.exec(url);
  const scheme = schemeMatch?.[1] ?? null;
  const rest = schemeMatch === null ? url : url.slice(schemeMatch[0].length);
  const authority = rest.startsWith('//') ? /^\/\/([^/?#]*)/.exec(rest)![1] : null;
  const hostPort = authority === null ? '' : authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort === '') return { error: 'missing host in url' };
  if (scheme === null) return { error: 'missing scheme in url' };
  const portMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (portMatch === null || portMatch[1] === '') return { error: `could not parse url. invalid host: ${hostPort}` };
  const port = portMatch[2] === undefined || portMatch[2] === '' ? null : Number(portMatch[2]);
  if (port !== null && port > 65535) return { error: `could not parse url. invalid port: ${portMatch[2]}` };
  const afterAuthority = rest.slice(2 + (authority ?? '').length);
  const pathOnly = afterAuthority.replace(/[?#].*$/, '');
  return { scheme: scheme.toLowerCase(), host: portMatch[1], port, path: pathOnly === '' ? null : pathOnly };
}

/** Load-time check of a literal (untemplated) callout URL; null when it can be requested. */
export function literalHttpUrlError(url: string): string | null {
  const parsed = parseUrl(url);
  if ('error' in parsed) return parsed.error;
  if (parsed.scheme !== 'http' && parsed.scheme !== 'https') return `unsupported scheme in url: ${parsed.scheme} (expected http or https)`;
  try {
    new URL(url);
  } catch {
    return 'could not parse url';
  }
  return null;
}
