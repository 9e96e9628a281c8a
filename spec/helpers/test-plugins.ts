// Small real plugins for exercising the proxy's plugin pipeline (not mocks: real PluginFactory
// implementations driven by their config).
import type { PluginEntity } from '../../src/config/types';
import type { Exchange } from '../../src/pdk/exchange';
import type { PluginFactory, PluginInstance } from '../../src/plugins/plugin';

/** config: { request_header?: [name, value], response_header?: [name, value], exit?: {status, body} , throw?: string } */
interface TestPluginConfig {
  readonly request_header?: readonly [string, string];
  readonly response_header?: readonly [string, string];
  readonly exit?: { readonly status: number; readonly body: string };
  readonly throw?: string;
  readonly replace_body?: string;
  readonly read_body?: boolean;
  readonly close_label?: string;
}

/** Labels of instances whose close() ran (config.close_label), in order. */
export const CLOSED_LABELS: string[] = [];

function makeFactory(name: string, priority: number): PluginFactory {
  return {
    name,
    priority,
    create(entity: PluginEntity): PluginInstance {
      const config = entity.config as TestPluginConfig;
      return {
        entity,
        priority,
        async close(): Promise<void> {
          if (config.close_label) CLOSED_LABELS.push(config.close_label);
        },
        async access(exchange: Exchange): Promise<void> {
          const trail = exchange.upstream.headers.get('x-plugin-trail');
          exchange.upstream.headers.set('X-Plugin-Trail', trail ? `${trail},${name}` : name);
          if (config.throw) throw new Error(config.throw);
          if (config.read_body) {
            const body = await exchange.request.readBody();
            exchange.upstream.headers.set('X-Body-Length', String(body.byteLength));
          }
          if (config.replace_body !== undefined) exchange.upstream.body = Buffer.from(config.replace_body);
          if (config.request_header) exchange.upstream.headers.set(config.request_header[0], config.request_header[1]);
          if (config.response_header) exchange.response.headers.set(config.response_header[0], config.response_header[1]);
          if (config.exit) {
            exchange.response.exit = {
              status: config.exit.status,
              body: Buffer.from(config.exit.body),
              headers: [['Content-Type', 'text/plain']],
            };
          }
        },
      };
    },
  };
}

/** Two test plugins with different priorities, to observe execution order. */
export const HIGH_PLUGIN = makeFactory('test-high', 2000);
export const LOW_PLUGIN = makeFactory('test-low', 10);
export const TEST_FACTORIES: ReadonlyMap<string, PluginFactory> = new Map([
  [HIGH_PLUGIN.name, HIGH_PLUGIN], [LOW_PLUGIN.name, LOW_PLUGIN],
]);

export function instantiate(plugins: readonly PluginEntity[]): PluginInstance[] {
  return plugins.map((entity) => {
    const factory = TEST_FACTORIES.get(entity.name);
    if (!factory) throw new Error(`test plugin ${entity.name} is not defined`);
    return factory.create(entity, undefined);
  });
}
