// Validates and normalizes one plugin entity (or just a plugin's config) against the plugin's
// Kong-native schema, then runs the plugin-level checks.
import { ConfigValidationError } from '../errors';
import { IssueCollector } from '../issues';
import type { RawIssue } from '../issues';
import type { KongField } from '../kong-schema/definition';
import { loadKongSchema } from '../kong-schema/load';
import { normalizeRecord, recordFields } from '../kong-schema/normalize';
import type { CodeSite, PlainObject, ReferenceResolution, WalkContext } from '../kong-schema/normalize';
import { formatPath } from '../path';
import type { Path } from '../path';
import type { UntrustedLuaMode } from '../types';
import { resolveVaultReference, isVaultReference } from '../vault';
import type { PluginSchemaBinding } from './binding';
import { supportedPlugins } from './registry';

export interface PluginNormalizeOptions {
  readonly untrustedLua: UntrustedLuaMode;
  /** Environment used by `{vault://env/...}` references; process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface NormalizedPluginFields {
  readonly fields: PlainObject;
}

const combinedSchemas = new WeakMap<PluginSchemaBinding, KongField>();

/** The plugin entity record: Kong's common plugin fields plus the plugin's own protocols/config. */
function entitySchema(binding: PluginSchemaBinding): KongField {
  let schema = combinedSchemas.get(binding);
  if (schema === undefined) {
    const common = loadKongSchema('entities/plugin.kong-schema.json');
    const own = recordFields(binding.schema).map(([name, field]) => ({ [name]: field }));
    schema = { type: 'record', fields: [...(common.fields ?? []), ...own] };
    combinedSchemas.set(binding, schema);
  }
  return schema;
}

export function vaultResolver(env: NodeJS.ProcessEnv | undefined): (value: string) => ReferenceResolution | null {
  return (value) => (isVaultReference(value) ? resolveVaultReference(value, env ?? process.env) : null);
}

/** Walks a plugin entity (without its service/route/consumer references) at `path`. */
export function normalizePluginEntity(
  raw: PlainObject,
  binding: PluginSchemaBinding,
  path: Path,
  issues: IssueCollector,
  warnings: RawIssue[],
  options: PluginNormalizeOptions,
): PlainObject {
  const sites: CodeSite[] = [];
  const context: WalkContext = { issues, sites, warnings, resolveReference: vaultResolver(options.env) };
  const normalized = normalizeRecord(raw, entitySchema(binding), path, context) as PlainObject;
  binding.check(normalized.config, { issues, sites, untrustedLua: options.untrustedLua, configPath: [...path, 'config'] });
  return normalized;
}

export class UnsupportedPluginError extends Error {
  constructor(readonly pluginName: string) {
    super(unsupportedPluginMessage(pluginName));
    this.name = 'UnsupportedPluginError';
  }
}

export function unsupportedPluginMessage(name: string): string {
  return `plugin '${name}' is not supported by luagate (supported: ${[...supportedPlugins().keys()].join(', ')})`;
}

/**
 * Normalizes a bare plugin `config` as Kong stores it (paths start with `config.`).
 * Throws ConfigValidationError listing every problem.
 */
export function normalizePluginConfig(name: string, config: unknown, options: PluginNormalizeOptions): PlainObject {
  const binding = supportedPlugins().get(name);
  if (binding === undefined) throw new UnsupportedPluginError(name);
  const issues = new IssueCollector();
  const entity = normalizePluginEntity({ name, config }, binding, [], issues, [], options);
  if (issues.size > 0) {
    throw new ConfigValidationError(issues.list.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  }
  return entity.config as PlainObject;
}
