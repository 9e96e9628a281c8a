// Per-field matchers of a route (hosts, headers, regex paths), compiled once per snapshot.

/** A Kong regex path (`~/pattern`) as a JS RegExp anchored at the start of the path. */
export function compilePathRegex(kongPath: string): RegExp {
  // PCRE's (?P<name>...) is written (?<name>...) in JS.
  const source = kongPath.slice(1).replace(/\(\?P</g, '(?<');
  return new RegExp('^(?:' + source + ')');
}

export interface HostMatcher {
  matches(host: string, port: number): boolean;
  readonly plainOnly: boolean;
  /** The host names (lower case, no port) when every entry is plain: the only hosts it can match. */
  readonly plainHosts: readonly string[] | null;
}

interface HostRule {
  readonly kind: 'exact' | 'suffix' | 'prefix';
  readonly value: string;         // lower case; for wildcards the fixed part incl. the dot
  readonly port: number | null;
}

function parseHostRule(entry: string): HostRule {
  let host = entry.toLowerCase();
  let port: number | null = null;
  const portMatch = /^(.*[^\]:]|\[.*\]):(\d+)$/.exec(host);
  if (portMatch) {
    host = portMatch[1];
    port = Number(portMatch[2]);
  }
  if (host.startsWith('*')) return { kind: 'suffix', value: host.slice(1), port };
  if (host.endsWith('*')) return { kind: 'prefix', value: host.slice(0, -1), port };
  return { kind: 'exact', value: host, port };
}

export function compileHostMatcher(hosts: readonly string[]): HostMatcher {
  const rules = hosts.map(parseHostRule);
  const plainOnly = rules.every((rule) => rule.kind === 'exact');
  return {
    plainOnly,
    plainHosts: plainOnly ? [...new Set(rules.map((rule) => rule.value))] : null,
    matches(host: string, port: number): boolean {
      for (const rule of rules) {
        if (rule.port !== null && rule.port !== port) continue;
        if (rule.kind === 'exact' ? host === rule.value
          : rule.kind === 'suffix' ? host.endsWith(rule.value) && host.length > rule.value.length
            : host.startsWith(rule.value) && host.length > rule.value.length) return true;
      }
      return false;
    },
  };
}

export interface HeaderRule {
  readonly name: string;                 // lower case
  readonly exact: ReadonlySet<string>;   // lower-cased values
  readonly patterns: readonly RegExp[];  // `~*` values, matched case-insensitively anywhere
}

export function compileHeaderRules(headers: Readonly<Record<string, readonly string[]>>): HeaderRule[] {
  return Object.keys(headers).map((name) => {
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    for (const value of headers[name]) {
      if (value.startsWith('~*')) patterns.push(new RegExp(value.slice(2).toLowerCase(), 'i'));
      else exact.add(value.toLowerCase());
    }
    return { name: name.toLowerCase(), exact, patterns };
  });
}

export function headerRuleMatches(rule: HeaderRule, values: readonly string[]): boolean {
  for (const raw of values) {
    const value = raw.toLowerCase();
    if (rule.exact.has(value)) return true;
    for (const pattern of rule.patterns) if (pattern.test(value)) return true;
  }
  return false;
}
