// First pass over a declarative document: checks the top level and flattens nested entities
// (routes and plugins under services, plugins under routes and consumers) into drafts that
// remember where they were declared and which parent they belong to.
import type { IssueCollector } from '../issues';
import { isPlainObject } from '../kong-schema/normalize';
import type { PlainObject } from '../kong-schema/normalize';
import type { Path } from '../path';

export const SUPPORTED_FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;
export const ENTITY_KEYS = ['services', 'routes', 'consumers', 'plugins'] as const;
const META_KEYS = ['_format_version', '_transform', '_comment', '_workspace', '_info'] as const;
/** Kong entity types luagate does not implement: named in the error so users know why. */
const KNOWN_UNSUPPORTED = [
  'upstreams', 'targets', 'certificates', 'ca_certificates', 'snis', 'vaults', 'consumer_groups',
  'keys', 'key_sets', 'filter_chains', 'partials', 'licenses', 'workspaces', 'rbac_roles',
];

export interface ParentLink {
  readonly service?: ServiceDraft;
  readonly route?: RouteDraft;
  readonly consumer?: ConsumerDraft;
}

export interface Draft {
  readonly path: Path;
  readonly raw: PlainObject;
}
export type ServiceDraft = Draft;
export type ConsumerDraft = Draft;
export interface RouteDraft extends Draft {
  readonly parent: ParentLink;
}
export interface PluginDraft extends Draft {
  readonly parent: ParentLink;
}

export interface CollectedDocument {
  readonly formatVersion: string;
  readonly services: ServiceDraft[];
  readonly routes: RouteDraft[];
  readonly consumers: ConsumerDraft[];
  readonly plugins: PluginDraft[];
}

function formatVersionOf(value: unknown, issues: IssueCollector): string {
  const path = ['_format_version'];
  if (value === undefined || value === null) {
    issues.add(path, 'required field missing');
    return '3.0';
  }
  // An unquoted `3.0` in YAML is the number 3.
  const text = typeof value === 'number' ? (Number.isInteger(value) ? value.toFixed(1) : String(value)) : value;
  if (typeof text !== 'string') {
    issues.add(path, 'expected a string');
    return '3.0';
  }
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly string[]).includes(text)) {
    issues.add(path, `expected one of: ${SUPPORTED_FORMAT_VERSIONS.join(', ')}`);
    return '3.0';
  }
  return text;
}

function entityList(value: unknown, path: Path, issues: IssueCollector): { raw: PlainObject; path: Path }[] {
  if (value === undefined || value === null) return [];
  const list = isPlainObject(value) && Object.keys(value).length === 0 ? [] : value;
  if (!Array.isArray(list)) {
    issues.add(path, 'expected an array');
    return [];
  }
  const out: { raw: PlainObject; path: Path }[] = [];
  list.forEach((item, index) => {
    if (isPlainObject(item)) out.push({ raw: item, path: [...path, index] });
    else issues.add([...path, index], 'expected a record');
  });
  return out;
}

/** Removes a nested list from an entity and returns its items. */
function takeNested(draft: { raw: PlainObject; path: Path }, key: string, issues: IssueCollector): { raw: PlainObject; path: Path }[] {
  if (!(key in draft.raw)) return [];
  const nested = entityList(draft.raw[key], [...draft.path, key], issues);
  delete draft.raw[key];
  return nested;
}

function checkTopLevelKeys(document: PlainObject, issues: IssueCollector): void {
  const supported = [...META_KEYS, ...ENTITY_KEYS];
  for (const key of Object.keys(document)) {
    if ((supported as readonly string[]).includes(key)) continue;
    const reason = KNOWN_UNSUPPORTED.includes(key) ? `'${key}' entities are not supported by luagate` : 'unknown field';
    issues.add([key], `${reason} (supported top-level keys: ${supported.join(', ')})`);
  }
  if ('_transform' in document && typeof document._transform !== 'boolean') issues.add(['_transform'], 'expected a boolean');
}

export function collectDocument(document: unknown, issues: IssueCollector): CollectedDocument {
  const collected: CollectedDocument = { formatVersion: '3.0', services: [], routes: [], consumers: [], plugins: [] };
  if (!isPlainObject(document)) {
    issues.add([], 'expected a record (a map with _format_version and entity lists)');
    return collected;
  }
  checkTopLevelKeys(document, issues);
  const formatVersion = formatVersionOf(document._format_version, issues);
  const result: CollectedDocument = { ...collected, formatVersion };

  const addPlugins = (owner: { raw: PlainObject; path: Path }, parent: ParentLink): void => {
    for (const plugin of takeNested(owner, 'plugins', issues)) result.plugins.push({ ...plugin, parent });
  };
  const addRoute = (route: { raw: PlainObject; path: Path }, parent: ParentLink): void => {
    const draft: RouteDraft = { raw: { ...route.raw }, path: route.path, parent };
    result.routes.push(draft);
    addPlugins(draft, { route: draft });
  };

  for (const item of entityList(document.services, ['services'], issues)) {
    const service: ServiceDraft = { raw: { ...item.raw }, path: item.path };
    result.services.push(service);
    for (const route of takeNested(service, 'routes', issues)) addRoute(route, { service });
    addPlugins(service, { service });
  }
  for (const item of entityList(document.routes, ['routes'], issues)) addRoute(item, {});
  for (const item of entityList(document.consumers, ['consumers'], issues)) {
    const consumer: ConsumerDraft = { raw: { ...item.raw }, path: item.path };
    result.consumers.push(consumer);
    addPlugins(consumer, { consumer });
  }
  for (const item of entityList(document.plugins, ['plugins'], issues)) result.plugins.push({ raw: { ...item.raw }, path: item.path, parent: {} });
  return result;
}
