// Kong route matching (traditional_compatible flavour), compiled once per snapshot.
//
// A route is split into one candidate per path group (all regex paths; each prefix length), and
// candidates are ordered as Kong's ATC priority orders them: number of matching fields, plain
// hosts only, header count, regex before prefix, regex_priority, longest prefix; then config order.
// The first candidate in that order that matches wins. Candidates with plain prefixes are found
// through a trie of the prefixes (PrefixIndex), so a request only tests the ones whose prefix starts
// its path, merged in order with the candidates that must always be tested (regex or no paths).
import type { HeaderMap } from '../pdk/exchange';
import type { RouteEntity, ServiceEntity } from '../config/types';
import {
  compileHeaderRules, compileHostMatcher, compilePathRegex, headerRuleMatches,
  type HeaderRule, type HostMatcher,
} from './route-matchers';
import { PrefixIndex, type PrefixEntry } from './prefix-index';
import { upstreamPath } from './upstream-path';

export interface RouterRequest {
  readonly method: string;
  readonly host: string;         // lower case, no port
  readonly port: number;         // port the gateway received the request on
  readonly path: string;         // normalized path, no query
  readonly headers: HeaderMap;
}

export interface UriCaptures {
  readonly unnamed: readonly string[];
  readonly named: Readonly<Record<string, string>>;
}

export interface RouteMatch {
  readonly route: RouteEntity;
  readonly service: ServiceEntity | null;
  readonly matchedPrefix: string;
  readonly uriCaptures: UriCaptures | null;
  /** Path to send upstream (service path joined per strip_path / path_handling). */
  readonly upstreamPath: string;
}

interface Candidate {
  /** Place in match order. */
  position: number;
  readonly route: RouteEntity;
  readonly service: ServiceEntity | null;
  readonly order: number;
  readonly methods: ReadonlySet<string> | null;
  readonly hosts: HostMatcher | null;
  readonly headers: readonly HeaderRule[] | null;
  readonly prefixes: readonly string[] | null;
  readonly regexes: readonly RegExp[] | null;
  readonly rank: readonly number[];
}

export class RouterCompileError extends Error {
  constructor(readonly routeId: string, readonly path: string, options?: { cause?: unknown }) {
    super(`route ${routeId}: invalid regex path '${path}'`, options);
    this.name = 'RouterCompileError';
  }
}

function isRegexPath(path: string): boolean {
  return path.startsWith('~');
}

function groupPaths(paths: readonly string[]): Array<readonly string[]> {
  const groups = new Map<number, string[]>();
  for (const path of paths) {
    const key = isRegexPath(path) ? -1 : path.length;
    const group = groups.get(key);
    if (group) group.push(path);
    else groups.set(key, [path]);
  }
  return [...groups.values()];
}

function nonEmpty<T>(value: readonly T[] | null | undefined): value is readonly T[] {
  return value !== null && value !== undefined && value.length > 0;
}

function compileCandidate(route: RouteEntity, service: ServiceEntity | null, order: number,
  paths: readonly string[] | null): Candidate {
  const headerNames = route.headers ? Object.keys(route.headers) : [];
  const hosts = nonEmpty(route.hosts) ? compileHostMatcher(route.hosts) : null;
  const regexGroup = paths !== null && isRegexPath(paths[0]);
  let regexes: RegExp[] | null = null;
  if (paths !== null && regexGroup) {
    regexes = paths.map((path) => {
      try {
        return compilePathRegex(path);
      } catch (cause) {
        throw new RouterCompileError(route.id, path, { cause });
      }
    });
  }
  const weight = (nonEmpty(route.methods) ? 1 : 0) + (hosts ? 1 : 0) + (headerNames.length > 0 ? 1 : 0) +
    (paths !== null ? 1 : 0);
  return {
    position: 0,
    route,
    service,
    order,
    methods: nonEmpty(route.methods) ? new Set(route.methods.map((m) => m.toUpperCase())) : null,
    hosts,
    headers: headerNames.length > 0 && route.headers ? compileHeaderRules(route.headers) : null,
    prefixes: paths !== null && !regexGroup ? paths : null,
    regexes,
    rank: [
      weight,
      hosts?.plainOnly ? 1 : 0,
      Math.min(headerNames.length, 255),
      regexGroup ? 1 : 0,
      regexGroup ? route.regex_priority : 0,
      paths !== null && !regexGroup ? paths[0].length : 0,
    ],
  };
}

function compareCandidates(a: Candidate, b: Candidate): number {
  for (let i = 0; i < a.rank.length; i++) {
    if (a.rank[i] !== b.rank[i]) return b.rank[i] - a.rank[i];
  }
  return a.order - b.order;
}

function servesHttp(route: RouteEntity): boolean {
  return route.protocols.includes('http') || route.protocols.includes('https');
}

export interface RouterOptions {
  /** false: test every candidate in order (the reference the index is checked against). */
  readonly indexPrefixes?: boolean;
}

export class Router {
  private readonly candidates: readonly Candidate[];
  private readonly prefixes = new PrefixIndex<Candidate>();
  /** Candidates not in the prefix index, in match order. */
  private readonly scanned: readonly Candidate[];

  constructor(routes: readonly RouteEntity[], services: readonly ServiceEntity[], options: RouterOptions = {}) {
    const servicesById = new Map(services.map((service) => [service.id, service]));
    const candidates: Candidate[] = [];
    routes.forEach((route, order) => {
      if (!servesHttp(route)) return;
      const service = route.service ? servicesById.get(route.service) ?? null : null;
      if (service && !service.enabled) return;
      if (nonEmpty(route.paths)) {
        for (const group of groupPaths(route.paths)) candidates.push(compileCandidate(route, service, order, group));
      } else {
        candidates.push(compileCandidate(route, service, order, null));
      }
    });
    candidates.sort(compareCandidates);
    this.candidates = candidates;
    const indexed = options.indexPrefixes !== false;
    const scanned: Candidate[] = [];
    candidates.forEach((candidate, position) => {
      candidate.position = position;
      if (indexed && candidate.prefixes) {
        for (const prefix of candidate.prefixes) this.prefixes.add(candidate, prefix, position);
      } else {
        scanned.push(candidate);
      }
    });
    this.scanned = scanned;
  }

  get size(): number {
    return this.candidates.length;
  }

  match(request: RouterRequest): RouteMatch | null {
    const byPrefix: ReadonlyArray<PrefixEntry<Candidate>> = this.prefixes.lookup(request.path);
    const scanned = this.scanned;
    let p = 0;
    let s = 0;
    while (p < byPrefix.length || s < scanned.length) {
      const fromIndex = s === scanned.length || (p < byPrefix.length && byPrefix[p].position < scanned[s].position);
      const candidate = fromIndex ? byPrefix[p++].candidate : scanned[s++];
      if (!otherFieldsMatch(candidate, request)) continue;
      // An indexed candidate's path already matched: its entry holds the prefix.
      const pathMatch = fromIndex ? { prefix: byPrefix[p - 1].prefix, captures: null } : matchPath(candidate, request.path);
      if (pathMatch) return routeMatch(candidate, request, pathMatch);
    }
    return null;
  }
}

function otherFieldsMatch(candidate: Candidate, request: RouterRequest): boolean {
  if (candidate.methods && !candidate.methods.has(request.method)) return false;
  if (candidate.hosts && !candidate.hosts.matches(request.host, request.port)) return false;
  return !candidate.headers || headersMatch(candidate.headers, request.headers);
}

function routeMatch(candidate: Candidate, request: RouterRequest, pathMatch: { prefix: string; captures: UriCaptures | null }): RouteMatch {
  const route = candidate.route;
  return {
    route,
    service: candidate.service,
    matchedPrefix: pathMatch.prefix,
    uriCaptures: pathMatch.captures,
    upstreamPath: upstreamPath({
      pathHandling: route.path_handling,
      stripPath: route.strip_path,
      requestPath: request.path,
      matchedPrefix: pathMatch.prefix,
      servicePath: candidate.service?.path ?? '/',
    }),
  };
}

function headersMatch(rules: readonly HeaderRule[], headers: HeaderMap): boolean {
  for (const rule of rules) {
    if (!headerRuleMatches(rule, headers.getAll(rule.name))) return false;
  }
  return true;
}

const NO_PATHS_MATCH = { prefix: '/', captures: null };

function matchPath(candidate: Candidate, path: string): { prefix: string; captures: UriCaptures | null } | null {
  if (candidate.prefixes) {
    for (const prefix of candidate.prefixes) if (path.startsWith(prefix)) return { prefix, captures: null };
    return null;
  }
  if (candidate.regexes) {
    for (const regex of candidate.regexes) {
      const m = regex.exec(path);
      if (!m) continue;
      const named: Record<string, string> = {};
      if (m.groups) for (const key of Object.keys(m.groups)) named[key] = m.groups[key] ?? '';
      return { prefix: m[0], captures: { unnamed: Array.from(m, (v) => v ?? ''), named } };
    }
    return null;
  }
  return NO_PATHS_MATCH;
}
