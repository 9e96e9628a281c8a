// Kong route matching (traditional_compatible flavour), compiled once per snapshot.
//
// A route is split into one candidate per path group (all regex paths; each prefix length), and
// candidates are ordered as Kong's ATC priority orders them: number of matching fields, plain
// hosts only, header count, regex before prefix, regex_priority, longest prefix; then config order.
// The first candidate in that order that matches wins. A request does not test every candidate:
// those with only plain hosts are found by the request's host, those with plain prefixes through a
// trie of the prefixes (PrefixIndex), and the three sources (host, prefix, always tested) are
// merged in rank order. A candidate with both plain hosts and prefixes is filed where its
// neighbours are fewer; either way it is tested in full before it can win.
import type { HeaderMap } from '../pdk/exchange';
import type { RouteEntity, ServiceEntity } from '../config/types';
import {
  compileHeaderRules, compileHostMatcher, compilePathRegex, headerRuleMatches,
  type HeaderRule, type HostMatcher,
} from './route-matchers';
import { needsIsolation, profileBacktracking, type BacktrackProfile } from '../pdk/ngx/regex/backtrack-bound';
import { RegexMatchLimitError } from '../pdk/ngx/regex/errors';
import { execIsolated, withRegexBudget, type RegexBudget } from '../pdk/ngx/regex/isolated-matcher';
import { PrefixIndex, type PrefixEntry } from './prefix-index';
import { upstreamPath } from './upstream-path';

export interface RouterRequest {
  readonly method: string;
  readonly host: string;         // lower case, no port
  readonly port: number;         // port the gateway received the request on
  readonly path: string;         // normalized path, no query
  readonly headers: HeaderMap;
  /** Told when a route's regex path was stopped at its time limit on this path. */
  readonly regexLimit?: RegexLimitListener;
}

export interface RegexLimitListener {
  routeRegexStopped(routeId: string, pattern: string, limitMs: number): void;
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
  readonly regexes: readonly PathRegex[] | null;
  readonly rank: readonly number[];
}

/** A `~` path compiled, with its backtracking bound (patterns that could run away on a long path are matched where they can be stopped). */
interface PathRegex {
  readonly re: RegExp;
  readonly pattern: string;
  readonly backtracking: BacktrackProfile;
}

/**
 * A route regex is configuration, but the path it runs on is the client's: a pattern like
 * `~/(a+)+$` would otherwise let one request hold the process. Kong's router (Rust regex) is
 * linear-time; JS RegExp is not, so such matches get a time limit and count as no match past it.
 */
const ROUTE_REGEX_BUDGET: RegexBudget = { timeLimitMs: 100, deadline: () => Infinity };

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
  let regexes: PathRegex[] | null = null;
  if (paths !== null && regexGroup) {
    regexes = paths.map((path) => {
      try {
        const re = compilePathRegex(path);
        return { re, pattern: path, backtracking: profileBacktracking(re.source, false) };
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
  /** false: test every candidate in order (the reference the indexes are checked against). */
  readonly useIndexes?: boolean;
}

export class Router {
  private readonly candidates: readonly Candidate[];
  private readonly byHost = new Map<string, Candidate[]>();
  private readonly prefixes = new PrefixIndex<Candidate>();
  /** Candidates in neither index, in match order. */
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
    const indexed = options.useIndexes !== false;
    const hostCounts = countKeys(candidates.map((candidate) => candidate.hosts?.plainHosts ?? []));
    const prefixCounts = countKeys(candidates.map((candidate) => candidate.prefixes ?? []));
    const scanned: Candidate[] = [];
    candidates.forEach((candidate, position) => {
      candidate.position = position;
      const hosts = indexed ? candidate.hosts?.plainHosts ?? null : null;
      const prefixes = indexed ? candidate.prefixes : null;
      if (hosts && (!prefixes || largest(hostCounts, hosts) <= largest(prefixCounts, prefixes))) {
        for (const host of hosts) {
          const bucket = this.byHost.get(host);
          if (bucket) bucket.push(candidate);
          else this.byHost.set(host, [candidate]);
        }
      } else if (prefixes) {
        for (const prefix of prefixes) this.prefixes.add(candidate, prefix, position);
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
    const byHost: readonly Candidate[] = this.byHost.get(request.host) ?? NO_CANDIDATES;
    const byPrefix: ReadonlyArray<PrefixEntry<Candidate>> = this.prefixes.lookup(request.path);
    const scanned = this.scanned;
    let h = 0;
    let p = 0;
    let s = 0;
    for (;;) {
      const hostNext = h < byHost.length ? byHost[h].position : Infinity;
      const prefixNext = p < byPrefix.length ? byPrefix[p].position : Infinity;
      const scanNext = s < scanned.length ? scanned[s].position : Infinity;
      if (prefixNext < hostNext && prefixNext < scanNext) {
        // Its path already matched: the entry holds the prefix.
        const entry = byPrefix[p++];
        if (otherFieldsMatch(entry.candidate, request)) return routeMatch(entry.candidate, request, { prefix: entry.prefix, captures: null });
        continue;
      }
      let candidate: Candidate;
      if (hostNext < scanNext) candidate = byHost[h++];
      else if (scanNext !== Infinity) candidate = scanned[s++];
      else return null;
      if (!otherFieldsMatch(candidate, request)) continue;
      const pathMatch = matchPath(candidate, request);
      if (pathMatch) return routeMatch(candidate, request, pathMatch);
    }
  }
}

const NO_CANDIDATES: readonly Candidate[] = [];

/** How many candidates list each key. */
function countKeys(keysPerCandidate: ReadonlyArray<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const keys of keysPerCandidate) for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function largest(counts: ReadonlyMap<string, number>, keys: readonly string[]): number {
  let most = 0;
  for (const key of keys) most = Math.max(most, counts.get(key) ?? 0);
  return most;
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

function matchPath(candidate: Candidate, request: RouterRequest): { prefix: string; captures: UriCaptures | null } | null {
  const path = request.path;
  if (candidate.prefixes) {
    for (const prefix of candidate.prefixes) if (path.startsWith(prefix)) return { prefix, captures: null };
    return null;
  }
  if (candidate.regexes) {
    for (const regex of candidate.regexes) {
      const m = execPathRegex(candidate, regex, request);
      if (!m) continue;
      const named: Record<string, string> = {};
      if (m.named) for (const key of Object.keys(m.named)) named[key] = m.named[key] ?? '';
      return { prefix: m.groups[0] ?? '', captures: { unnamed: Array.from(m.groups, (v) => v ?? ''), named } };
    }
    return null;
  }
  return NO_PATHS_MATCH;
}

interface PathRegexMatch {
  readonly groups: ReadonlyArray<string | undefined>;
  readonly named?: Readonly<Record<string, string | undefined>>;
}

/**
 * Matches in place, or, when the pattern could backtrack for long on a path this long, where the
 * match can be stopped: past the limit the listener hears of it and the route does not match.
 */
function execPathRegex(candidate: Candidate, regex: PathRegex, request: RouterRequest): PathRegexMatch | null {
  if (!needsIsolation(regex.backtracking, request.path.length)) return inPlace(regex.re, request.path);
  try {
    const reply = withRegexBudget(ROUTE_REGEX_BUDGET, () => execIsolated(regex.re.source, regex.re.flags, request.path, 0));
    // undefined: no worker thread could start; the match runs in place.
    return reply === undefined ? inPlace(regex.re, request.path) : reply;
  } catch (err) {
    if (!(err instanceof RegexMatchLimitError)) throw err;
    request.regexLimit?.routeRegexStopped(candidate.route.id, regex.pattern, err.limitMs);
    return null;
  }
}

function inPlace(re: RegExp, path: string): PathRegexMatch | null {
  const m = re.exec(path);
  return m === null ? null : { groups: m, named: m.groups };
}
