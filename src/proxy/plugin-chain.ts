// Which plugin instances run for a route, resolved once per snapshot with Kong's precedence:
// for one plugin name the most specific enabled instance wins (route+service, route, service,
// global); the winners run by priority, highest first. Consumer-scoped instances need an
// identified consumer, which luagate has no authentication plugin to provide, so they never apply.
import type { PluginInstance } from '../plugins/plugin';

export type PluginChain = readonly PluginInstance[];

const EMPTY_CHAIN: PluginChain = Object.freeze([]);

function appliesToHttp(instance: PluginInstance): boolean {
  const protocols = instance.entity.protocols;
  return protocols.length === 0 || protocols.includes('http') || protocols.includes('https');
}

/** Specificity of an instance for (routeId, serviceId); -1 when it does not apply. */
function specificity(instance: PluginInstance, routeId: string | null, serviceId: string | null): number {
  const e = instance.entity;
  if (e.consumer !== null) return -1;
  if (e.route !== null && e.service !== null) return e.route === routeId && e.service === serviceId ? 3 : -1;
  if (e.route !== null) return e.route === routeId ? 2 : -1;
  if (e.service !== null) return e.service === serviceId ? 1 : -1;
  return 0;
}

function byPriority(a: PluginInstance, b: PluginInstance): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.entity.name < b.entity.name ? -1 : a.entity.name > b.entity.name ? 1 : 0;
}

export function resolveChain(instances: readonly PluginInstance[], routeId: string | null,
  serviceId: string | null): PluginChain {
  const winners = new Map<string, { instance: PluginInstance; rank: number }>();
  for (const instance of instances) {
    if (!instance.entity.enabled || !appliesToHttp(instance)) continue;
    const rank = specificity(instance, routeId, serviceId);
    if (rank < 0) continue;
    const current = winners.get(instance.entity.name);
    if (!current || rank > current.rank) winners.set(instance.entity.name, { instance, rank });
  }
  if (winners.size === 0) return EMPTY_CHAIN;
  return Object.freeze([...winners.values()].map((w) => w.instance).sort(byPriority));
}

/** Chains for every route of a snapshot, computed up front. */
export class PluginChains {
  private readonly byRoute = new Map<string, PluginChain>();

  constructor(instances: readonly PluginInstance[], routes: ReadonlyArray<{ id: string; service: string | null }>) {
    for (const route of routes) this.byRoute.set(route.id, resolveChain(instances, route.id, route.service));
  }

  forRoute(routeId: string): PluginChain {
    return this.byRoute.get(routeId) ?? EMPTY_CHAIN;
  }
}
