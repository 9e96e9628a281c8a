// The one list of plugins luagate implements. Adding a plugin = one entry here, its schema in
// schema/plugins/ and a PluginFactory in src/plugins/.
import { loadKongSchema } from '../kong-schema/load';
import type { PluginSchemaBinding } from './binding';
import { checkRequestCalloutConfig } from './request-callout';

function requestCallout(): PluginSchemaBinding {
  const schema = loadKongSchema('plugins/request-callout.kong-schema.json');
  return { name: 'request-callout', priority: schema.priority ?? 812, schema, check: checkRequestCalloutConfig };
}

let bindings: ReadonlyMap<string, PluginSchemaBinding> | undefined;

export function supportedPlugins(): ReadonlyMap<string, PluginSchemaBinding> {
  if (bindings === undefined) {
    bindings = new Map([requestCallout()].map((binding) => [binding.name, binding]));
  }
  return bindings;
}

export function supportedPluginNames(): string[] {
  return [...supportedPlugins().keys()];
}
