// Declarative loader: a Kong declarative file (YAML or JSON, _format_version 1.1/2.1/3.0) in,
// a normalized DeclarativeConfig out — or a ConfigValidationError listing every problem.
import { ConfigValidationError } from '../errors';
import type { ConfigIssue } from '../errors';
import { IssueCollector } from '../issues';
import type { RawIssue } from '../issues';
import type { PlainObject } from '../kong-schema/normalize';
import { formatPath } from '../path';
import type { Path } from '../path';
import { normalizePluginEntity, unsupportedPluginMessage } from '../plugins/normalize-plugin';
import { supportedPlugins } from '../plugins/registry';
import type { ConsumerEntity, DeclarativeConfig, PluginEntity, Protocol, RouteEntity, ServiceEntity, Settings } from '../types';
import { collectDocument } from './collect';
import type { Draft, PluginDraft, RouteDraft } from './collect';
import { normalizeConsumer, normalizeRoute, normalizeService } from './entities';
import { EntityIndex } from './references';
import { stableId } from '../ids';
import { parseDeclarativeText, readDeclarativeFile } from './source';
import type { DeclarativeSource } from './source';

export interface LoadOptions {
  /** Environment for `{vault://env/...}` references; process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadResult {
  readonly config: DeclarativeConfig;
  /** Non-fatal notices (deprecated shorthand fields, pre-3.0 regex paths). */
  readonly warnings: readonly ConfigIssue[];
}

/** Loads and validates a declarative file. Throws ConfigValidationError with every problem found. */
export function loadDeclarativeConfig(filePath: string, settings: Settings, options: LoadOptions = {}): DeclarativeConfig {
  return loadDeclarativeConfigWithWarnings(filePath, settings, options).config;
}

export function loadDeclarativeConfigWithWarnings(filePath: string, settings: Settings, options: LoadOptions = {}): LoadResult {
  return buildFromSource(readDeclarativeFile(filePath), settings, options);
}

/** Same as loadDeclarativeConfig for text already in memory; `name` is used in messages. */
export function parseDeclarativeConfig(text: string, settings: Settings, options: LoadOptions & { name?: string } = {}): LoadResult {
  return buildFromSource(parseDeclarativeText(text, options.name ?? '<inline>'), settings, options);
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const strings = (value: unknown): readonly string[] => (Array.isArray(value) ? (value as string[]) : []);
const stringsOrNull = (value: unknown): readonly string[] | null => (Array.isArray(value) ? (value as string[]) : null);

function buildFromSource(source: DeclarativeSource, settings: Settings, options: LoadOptions): LoadResult {
  const issues = new IssueCollector();
  const warnings: RawIssue[] = [];
  const config = buildConfig(source.data, settings, options, issues, warnings);
  const located = (issue: RawIssue): ConfigIssue => {
    const line = source.locate(issue.path);
    return line === undefined ? { path: formatPath(issue.path), message: issue.message } : { path: formatPath(issue.path), message: issue.message, line };
  };
  if (issues.size > 0) throw new ConfigValidationError(issues.list.map(located), source.file);
  return { config, warnings: warnings.map(located) };
}

function buildConfig(document: unknown, settings: Settings, options: LoadOptions, issues: IssueCollector, warnings: RawIssue[]): DeclarativeConfig {
  const collected = collectDocument(document, issues);
  const ids = new WeakMap<Draft, string>();
  const serviceIndex = new EntityIndex('services', issues);
  const routeIndex = new EntityIndex('routes', issues);
  const consumerIndex = new EntityIndex('consumers', issues);

  const services: ServiceEntity[] = collected.services.map((draft) => {
    const entity = normalizeService(draft.raw, draft.path, issues, warnings);
    const id = serviceIndex.register(draft.path, entity.id, [['name', entity.name]]);
    ids.set(draft, id);
    return toService(entity, id);
  });

  const consumers: ConsumerEntity[] = collected.consumers.map((draft) => {
    const entity = normalizeConsumer(draft.raw, draft.path, issues, warnings);
    const id = consumerIndex.register(draft.path, entity.id, [['username', entity.username], ['custom_id', entity.custom_id]]);
    ids.set(draft, id);
    return { id, username: text(entity.username), custom_id: text(entity.custom_id), tags: strings(entity.tags) };
  });

  const routes: RouteEntity[] = collected.routes.map((draft) => {
    const serviceId = routeServiceId(draft, ids, serviceIndex);
    const raw = { ...draft.raw };
    delete raw.service;
    const entity = normalizeRoute(raw, draft.path, issues, warnings, collected.formatVersion);
    const id = routeIndex.register(draft.path, entity.id, [['name', entity.name]]);
    ids.set(draft, id);
    return toRoute(entity, id, serviceId);
  });

  const pluginKeys = new Map<string, Path>();
  const plugins: PluginEntity[] = [];
  for (const draft of collected.plugins) {
    const plugin = buildPlugin(draft, ids, { serviceIndex, routeIndex, consumerIndex }, settings, options, issues, warnings);
    if (plugin === null) continue;
    const key = [plugin.name, plugin.service ?? '', plugin.route ?? '', plugin.consumer ?? '', text(draft.raw.instance_name) ?? ''].join('\0');
    const previous = pluginKeys.get(key);
    if (previous !== undefined) {
      issues.add(draft.path, `uniqueness violation: 'plugins' entity with name set to '${plugin.name}' and the same service, route and consumer already declared at ${formatPath(previous)}`);
      continue;
    }
    pluginKeys.set(key, draft.path);
    plugins.push(plugin);
  }
  return { formatVersion: collected.formatVersion, services, routes, consumers, plugins };
}

function routeServiceId(draft: RouteDraft, ids: WeakMap<Draft, string>, services: EntityIndex): string | null {
  if (draft.parent.service !== undefined) return ids.get(draft.parent.service) ?? null;
  const reference = draft.raw.service;
  if (reference === undefined || reference === null) return null;
  return services.resolve(reference, [...draft.path, 'service'], 'service', ['name']);
}

interface Indexes {
  readonly serviceIndex: EntityIndex;
  readonly routeIndex: EntityIndex;
  readonly consumerIndex: EntityIndex;
}

function buildPlugin(
  draft: PluginDraft,
  ids: WeakMap<Draft, string>,
  indexes: Indexes,
  settings: Settings,
  options: LoadOptions,
  issues: IssueCollector,
  warnings: RawIssue[],
): PluginEntity | null {
  const raw = { ...draft.raw };
  const reference = (field: 'service' | 'route' | 'consumer', index: EntityIndex, names: string[]): string | null => {
    const parent = draft.parent[field];
    const value = raw[field];
    delete raw[field];
    if (parent !== undefined) return ids.get(parent) ?? null;
    if (value === undefined || value === null) return null;
    return index.resolve(value, [...draft.path, field], field, names);
  };
  const service = reference('service', indexes.serviceIndex, ['name']);
  const route = reference('route', indexes.routeIndex, ['name']);
  const consumer = reference('consumer', indexes.consumerIndex, ['username', 'custom_id']);

  if (typeof raw.name !== 'string') {
    issues.add([...draft.path, 'name'], raw.name === undefined || raw.name === null ? 'required field missing' : 'expected a string');
    return null;
  }
  const binding = supportedPlugins().get(raw.name);
  if (binding === undefined) {
    issues.add([...draft.path, 'name'], unsupportedPluginMessage(raw.name));
    return null;
  }
  const entity = normalizePluginEntity(raw, binding, draft.path, issues, warnings, { untrustedLua: settings.untrusted_lua, env: options.env });
  const identity = [binding.name, text(entity.instance_name) ?? '', service ?? '', route ?? '', consumer ?? ''].join('|');
  const id = text(entity.id) ?? stableId('plugins', identity);
  return {
    id,
    name: binding.name,
    enabled: entity.enabled !== false,
    protocols: strings(entity.protocols) as Protocol[],
    service,
    route,
    consumer,
    config: (entity.config ?? {}) as Record<string, unknown>,
    tags: strings(entity.tags),
  };
}

function toService(entity: PlainObject, id: string): ServiceEntity {
  return {
    id,
    name: text(entity.name),
    protocol: entity.protocol as ServiceEntity['protocol'],
    host: entity.host as string,
    port: entity.port as number,
    path: text(entity.path),
    retries: entity.retries as number,
    connect_timeout: entity.connect_timeout as number,
    write_timeout: entity.write_timeout as number,
    read_timeout: entity.read_timeout as number,
    tls_verify: typeof entity.tls_verify === 'boolean' ? entity.tls_verify : null,
    enabled: entity.enabled !== false,
    tags: strings(entity.tags),
  };
}

function toRoute(entity: PlainObject, id: string, service: string | null): RouteEntity {
  return {
    id,
    name: text(entity.name),
    service,
    protocols: strings(entity.protocols) as Protocol[],
    methods: stringsOrNull(entity.methods),
    hosts: stringsOrNull(entity.hosts),
    paths: stringsOrNull(entity.paths),
    headers: (entity.headers ?? null) as RouteEntity['headers'],
    strip_path: entity.strip_path !== false,
    preserve_host: entity.preserve_host === true,
    regex_priority: (entity.regex_priority ?? 0) as number,
    path_handling: (entity.path_handling ?? 'v0') as RouteEntity['path_handling'],
    https_redirect_status_code: entity.https_redirect_status_code as number,
    request_buffering: entity.request_buffering !== false,
    response_buffering: entity.response_buffering !== false,
    tags: strings(entity.tags),
  };
}
