// Kong entities with Kong's defaults, for building DeclarativeConfig objects in tests.
import type {
  DeclarativeConfig, PluginEntity, RouteEntity, ServiceEntity,
} from '../../src/config/types';

let counter = 0;
function nextId(prefix: string): string {
  counter++;
  return `${prefix}-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

export function service(fields: Partial<ServiceEntity> & { host: string; port: number }): ServiceEntity {
  return {
    id: nextId('5e000000'), name: null, protocol: 'http', path: null, retries: 5, connect_timeout: 60000,
    write_timeout: 60000, read_timeout: 60000, tls_verify: null, enabled: true, tags: [], ...fields,
  };
}

export function route(fields: Partial<RouteEntity> & { service: string | null }): RouteEntity {
  return {
    id: nextId('40000000'), name: null, protocols: ['http', 'https'], methods: null, hosts: null, paths: null,
    headers: null, strip_path: true, preserve_host: false, regex_priority: 0, path_handling: 'v0',
    https_redirect_status_code: 426, request_buffering: true, response_buffering: true, tags: [], ...fields,
  };
}

export function plugin(fields: Partial<PluginEntity> & { name: string }): PluginEntity {
  return {
    id: nextId('91000000'), enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], route: null, service: null,
    consumer: null, config: {}, tags: [], ...fields,
  };
}

export function declarative(parts: Partial<DeclarativeConfig>): DeclarativeConfig {
  return { formatVersion: '3.0', services: [], routes: [], consumers: [], plugins: [], ...parts };
}

/** A config of these services, each reached through one prefix route per path given. */
export function routedTo(paths: Readonly<Record<string, ServiceEntity>>): DeclarativeConfig {
  const services = [...new Set(Object.values(paths))];
  const routes = Object.entries(paths).map(([path, svc]) => route({ service: svc.id, paths: [path] }));
  return declarative({ services, routes });
}
