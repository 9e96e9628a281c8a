// Core entities (services, routes, consumers): Kong-native schema walk plus the checks Kong
// implements in code (service `url` shorthand, route matching rules, regex paths).
import type { IssueCollector, RawIssue } from '../issues';
import { loadKongSchema } from '../kong-schema/load';
import { normalizeRecord } from '../kong-schema/normalize';
import type { PlainObject, WalkContext } from '../kong-schema/normalize';
import type { KongField } from '../kong-schema/definition';
import type { Path } from '../path';
import { parseUrl } from '../url';

let schemas: { service: KongField; route: KongField; consumer: KongField } | undefined;

function entitySchemas(): NonNullable<typeof schemas> {
  if (schemas === undefined) {
    schemas = {
      service: loadKongSchema('entities/service.kong-schema.json'),
      route: loadKongSchema('entities/route.kong-schema.json'),
      consumer: loadKongSchema('entities/consumer.kong-schema.json'),
    };
  }
  return schemas;
}

function walkContext(issues: IssueCollector, warnings: RawIssue[]): WalkContext {
  return { issues, sites: [], warnings };
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, grpc: 80, grpcs: 443 };

export function normalizeService(raw: PlainObject, path: Path, issues: IssueCollector, warnings: RawIssue[]): PlainObject {
  const input: PlainObject = { ...raw };
  if ('url' in input) {
    const url = input.url;
    delete input.url;
    if (typeof url !== 'string') {
      issues.add([...path, 'url'], 'expected a string');
    } else {
      const parsed = parseUrl(url);
      if ('error' in parsed) {
        issues.add([...path, 'url'], parsed.error);
      } else {
        input.protocol = parsed.scheme;
        input.host = parsed.host;
        input.port = parsed.port ?? DEFAULT_PORTS[parsed.scheme] ?? 80;
        input.path = parsed.path;
      }
    }
  }
  return normalizeRecord(input, entitySchemas().service, path, walkContext(issues, warnings)) as PlainObject;
}

export function normalizeConsumer(raw: PlainObject, path: Path, issues: IssueCollector, warnings: RawIssue[]): PlainObject {
  return normalizeRecord(raw, entitySchemas().consumer, path, walkContext(issues, warnings)) as PlainObject;
}

/** Characters that make a pre-3.0 path a regex (Kong's 3.0 migration prefixes those with `~`). */
const NON_PLAIN_PATH = /[^A-Za-z0-9\-._~/%]/;

export function normalizeRoute(
  raw: PlainObject,
  path: Path,
  issues: IssueCollector,
  warnings: RawIssue[],
  formatVersion: string,
): PlainObject {
  const route = normalizeRecord(raw, entitySchemas().route, path, walkContext(issues, warnings)) as PlainObject;
  if (Array.isArray(route.paths)) {
    route.paths = route.paths.map((routePath: unknown, index: number) =>
      typeof routePath === 'string' ? checkRoutePath(routePath, [...path, 'paths', index], issues, warnings, formatVersion) : routePath,
    );
  }
  if (route.headers !== null && typeof route.headers === 'object') {
    for (const name of Object.keys(route.headers as object)) {
      if (name.toLowerCase() === 'host') {
        issues.add([...path, 'headers', name], "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
      }
    }
  }
  if (Array.isArray(route.hosts)) {
    route.hosts.forEach((host: unknown, index: number) => {
      if (typeof host === 'string' && host.includes('*') && !/^\*\.[^*]+$|^[^*]+\.\*$/.test(host)) {
        issues.add([...path, 'hosts', index], 'invalid wildcard: must be placed at leftmost or rightmost label');
      }
    });
  }
  checkRouteHasMatcher(route, path, issues);
  return route;
}

function checkRoutePath(routePath: string, path: Path, issues: IssueCollector, warnings: RawIssue[], formatVersion: string): string {
  let value = routePath;
  if (formatVersion !== '3.0' && value.startsWith('/') && NON_PLAIN_PATH.test(value)) {
    value = `~${value}`;
    warnings.push({ path, message: `regex path from _format_version ${formatVersion} read as '${value}' (Kong 3.x rule)` });
  }
  if (!value.startsWith('/') && !value.startsWith('~')) {
    issues.add(path, 'should start with: / (fixed path) or ~ (regex path)');
  } else if (value.startsWith('~')) {
    try {
      new RegExp(value.slice(1));
    } catch (error) {
      issues.add(path, `invalid regex: '${value.slice(1)}' (${(error as Error).message})`);
    }
  }
  return value;
}

const hasItems = (value: unknown): boolean =>
  (Array.isArray(value) && value.length > 0) || (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0);

function checkRouteHasMatcher(route: PlainObject, path: Path, issues: IssueCollector): void {
  if (!Array.isArray(route.protocols)) return;
  if (['methods', 'hosts', 'headers', 'paths'].some((field) => hasItems(route[field]))) return;
  const protocol = route.protocols.includes('http') ? 'http' : route.protocols.includes('grpc') ? 'grpc' : 'https';
  issues.add(path, `must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is '${protocol}'`);
}
