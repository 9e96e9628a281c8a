// The path sent upstream: the request path joined with the service path as Kong does it, for
// path_handling v0 (Kong's default) and v1 (the older behaviour, still selectable per route).

/** Kong drops a leading "." / ".." segment left over after stripping the matched prefix. */
export function sanitizePostfix(postfix: string): string {
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.startsWith('./')) return postfix.slice(2);
  if (postfix.startsWith('../')) return postfix.slice(3);
  return postfix;
}

export interface UpstreamPathInput {
  readonly pathHandling: 'v0' | 'v1';
  readonly stripPath: boolean;
  /** The (normalized) request path. */
  readonly requestPath: string;
  /** The part of the request path the route matched: a prefix path or the whole regex match; '/' when the route has no paths. */
  readonly matchedPrefix: string;
  /** The service path; '/' when the service has none. */
  readonly servicePath: string;
}

export function upstreamPath(input: UpstreamPathInput): string {
  const base = input.servicePath || '/';
  const prefix = input.stripPath ? input.matchedPrefix : '/';
  const postfix = sanitizePostfix(input.requestPath.slice(prefix.length));
  return input.pathHandling === 'v1'
    ? joinV1(base, postfix, input)
    : joinV0(base, postfix, input);
}

function joinV1(base: string, postfix: string, input: UpstreamPathInput): string {
  if (!input.stripPath) return base + input.requestPath.slice(1);
  if (base.endsWith('/') && postfix.startsWith('/')) return base.slice(0, -1) + postfix;
  return base + postfix;
}

function joinV0(base: string, postfix: string, input: UpstreamPathInput): string {
  const requestPath = input.requestPath;
  if (base.endsWith('/')) {
    if (!input.stripPath) return base + requestPath.slice(1);
    if (postfix === '') {
      if (base === '/') return '/';
      return requestPath.endsWith('/') ? base : base.slice(0, -1);
    }
    return postfix.startsWith('/') ? base.slice(0, -1) + postfix : base + postfix;
  }
  if (!input.stripPath) return requestPath === '/' ? base : base + requestPath;
  if (postfix === '') return requestPath.length > 1 && requestPath.endsWith('/') ? base + '/' : base;
  return postfix.startsWith('/') ? base + postfix : base + '/' + postfix;
}
