// The immutable runtime snapshot: validated entities plus one compiled plugin instance per
// enabled plugin entity. Built once per (re)load; requests only read it.
import { ConfigValidationError } from './errors';
import type { ConfigIssue } from './errors';
import type { PluginFactory, PluginInstance } from '../plugins/plugin';
import { internStrings } from '../util/interned';
import type { ConsumerEntity, DeclarativeConfig, PluginEntity, RouteEntity, ServiceEntity, Settings } from './types';

export interface ConfigSnapshot {
  readonly formatVersion: string;
  readonly settings: Settings;
  readonly services: readonly ServiceEntity[];
  readonly routes: readonly RouteEntity[];
  readonly consumers: readonly ConsumerEntity[];
  /** Every plugin entity, enabled or not, in configuration order. */
  readonly pluginEntities: readonly PluginEntity[];
  /** Instances of the enabled plugins, highest priority first (ties in configuration order). */
  readonly plugins: readonly PluginInstance[];
  readonly servicesById: ReadonlyMap<string, ServiceEntity>;
  readonly routesById: ReadonlyMap<string, RouteEntity>;
  readonly consumersById: ReadonlyMap<string, ConsumerEntity>;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as object)) deepFreeze(item);
  }
  return value;
}

function byId<T extends { readonly id: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

/**
 * Compiles `config` into a snapshot: every enabled plugin is created by its factory once.
 * Throws ConfigValidationError listing every plugin that could not be created.
 */
export function buildSnapshot<R>(
  config: DeclarativeConfig,
  settings: Settings,
  factories: ReadonlyMap<string, PluginFactory<R>>,
  runtime: R,
): ConfigSnapshot {
  // Interned after the copy (a structured clone makes new strings): config strings become property
  // keys on the request path (util/interned.ts).
  const frozen = deepFreeze(internStrings(structuredClone(config)) as DeclarativeConfig);
  const issues: ConfigIssue[] = [];
  const instances: { instance: PluginInstance; order: number }[] = [];
  frozen.plugins.forEach((entity, order) => {
    if (!entity.enabled) return;
    const path = `plugins[id=${entity.id}] (${entity.name})`;
    const factory = factories.get(entity.name);
    if (factory === undefined) {
      issues.push({ path, message: `no implementation registered for plugin '${entity.name}'` });
      return;
    }
    try {
      instances.push({ instance: factory.create(entity, runtime), order });
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
    }
  });
  if (issues.length > 0) {
    void Promise.allSettled(instances.map(({ instance }) => instance.close?.()));
    throw new ConfigValidationError(issues);
  }
  instances.sort((a, b) => b.instance.priority - a.instance.priority || a.order - b.order);
  return Object.freeze({
    formatVersion: frozen.formatVersion,
    settings: deepFreeze(internStrings(structuredClone(settings)) as Settings),
    services: frozen.services,
    routes: frozen.routes,
    consumers: frozen.consumers,
    pluginEntities: frozen.plugins,
    plugins: Object.freeze(instances.map(({ instance }) => instance)),
    servicesById: byId(frozen.services),
    routesById: byId(frozen.routes),
    consumersById: byId(frozen.consumers),
  });
}

/** Releases what the snapshot's plugin instances hold (pools, cache connections). */
export async function closeSnapshot(snapshot: ConfigSnapshot): Promise<void> {
  await Promise.allSettled(snapshot.plugins.map((instance) => instance.close?.()));
}
