// Starts an in-process luagate Gateway on 127.0.0.1:0 for a DeclarativeConfig built in code.
import type { DeclarativeConfig, KongLogLevel } from '../../src/config/types';
import { createGateway, type Gateway } from '../../src/proxy/gateway';
import { GatewayLogger } from '../../src/proxy/log';
import { instantiate } from './test-plugins';

export interface TestGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly port: number;
  readonly errorLines: string[];
  readonly accessLines: string[];
  /** Replaces the configuration the next reload() will load. */
  setConfig(config: DeclarativeConfig | (() => DeclarativeConfig)): void;
  stop(): Promise<void>;
}

export async function startGateway(config: DeclarativeConfig, options: { logLevel?: KongLogLevel; headers?: string[];
  workerLabel?: string } = {}): Promise<TestGateway> {
  const errorLines: string[] = [];
  const accessLines: string[] = [];
  let load: () => DeclarativeConfig = () => config;
  const gateway = createGateway({
    settings: {
      proxy_listen: [{ host: '127.0.0.1', port: 0, ssl: false }],
      headers: options.headers ?? ['server_tokens', 'latency_tokens', 'X-Kong-Request-Id'],
      log_level: options.logLevel ?? 'notice',
      log_format: 'plain',
    },
    logger: new GatewayLogger({
      level: options.logLevel ?? 'notice', format: 'plain',
      errorOut: { write: (line) => { errorLines.push(line); } },
      accessOut: { write: (line) => { accessLines.push(line); } },
    }),
    workerLabel: options.workerLabel ?? null,
    loadSnapshot: () => {
      const c = load();
      return { services: c.services, routes: c.routes, plugins: instantiate(c.plugins) };
    },
  });
  const [address] = await gateway.start();
  return {
    gateway,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    errorLines,
    accessLines,
    setConfig: (next) => { load = typeof next === 'function' ? next : () => next; },
    stop: () => gateway.stop(),
  };
}
