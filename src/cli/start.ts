// `luagate start`: serve a Kong declarative config. One process (--workers 1) or node:cluster
// workers; SIGHUP / --watch reload atomically; SIGTERM / SIGINT drain requests in flight, exit 0.
import cluster from 'node:cluster';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSnapshot, closeSnapshot, type ConfigSnapshot } from '../config/snapshot';
import { loadDeclarativeConfig } from '../config/declarative/load';
import { parseListen } from '../config/listen';
import { loadSettings } from '../config/settings';
import type { Settings } from '../config/types';
import { startDemoServices, type DemoServices } from '../demo';
import type { PluginFactory } from '../plugins/plugin';
import { createGateway, type Gateway } from '../proxy/gateway';
import { AccessLogOpenError, GatewayLogger, openAccessLog } from '../proxy/log';
import { applyHeapGrowing } from './heap-tuning';
import { serveAsWorker, Supervisor } from '../proxy/supervisor';

const USAGE = `usage: luagate start [--config FILE] [--proxy-listen ADDR] [-c kong.conf] [--workers N] [--watch]
                     [--with-demo-services]`;

export interface StartArgs {
  readonly config: string | null;
  readonly proxyListen: string | null;
  readonly conf: string | null;
  readonly workers: number | 'auto' | null;
  readonly watch: boolean;
  readonly withDemoServices: boolean;
}

export function parseStartArgs(argv: readonly string[]): StartArgs | { readonly error: string } {
  const args = { config: null as string | null, proxyListen: null as string | null, conf: null as string | null,
    workers: null as number | 'auto' | null, watch: false, withDemoServices: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | null => inline ?? (i + 1 < argv.length ? argv[++i] : null);
    switch (flag) {
      case '--config': case '--declarative-config': args.config = value(); if (args.config === null) return { error: `${flag} needs a file` }; break;
      case '--proxy-listen': args.proxyListen = value(); if (args.proxyListen === null) return { error: `${flag} needs an address` }; break;
      case '-c': case '--conf': args.conf = value(); if (args.conf === null) return { error: `${flag} needs a file` }; break;
      case '--workers': {
        const raw = value();
        if (raw === 'auto') args.workers = 'auto';
        else if (raw !== null && /^[1-9]\d*$/.test(raw)) args.workers = Number(raw);
        else return { error: '--workers needs a positive number or auto' };
        break;
      }
      case '--watch': args.watch = true; break;
      case '--with-demo-services': args.withDemoServices = true; break;
      default: return { error: `unknown option ${arg}` };
    }
  }
  return args;
}

/** Plugin implementations and the runtime they are created with (the Lua engine, caches...). */
export interface PluginSetup {
  readonly factories: ReadonlyMap<string, PluginFactory<unknown>>;
  readonly runtime: unknown;
}

/**
 * The plugin registry (src/plugins/registry.ts) exports `createPluginSetup(settings): PluginSetup`.
 * Loaded by path so that `start` works, without plugins, before a registry exists.
 */
function defaultPluginSetup(settings: Settings): PluginSetup {
  type Registry = { createPluginSetup?: (s: Settings) => PluginSetup };
  let registry: Registry = {};
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    registry = require(path.join(__dirname, '..', 'plugins', 'registry')) as Registry;
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
  }
  return registry.createPluginSetup ? registry.createPluginSetup(settings) : { factories: new Map(), runtime: undefined };
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly pluginSetup?: (settings: Settings) => PluginSetup;
}

class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

function effectiveSettings(args: StartArgs, env: NodeJS.ProcessEnv): Settings {
  const base = loadSettings({ confPath: args.conf, env });
  let proxyListen = base.proxy_listen;
  if (args.proxyListen !== null) {
    const parsed = parseListen(args.proxyListen);
    if ('error' in parsed) throw new StartError(`--proxy-listen: ${parsed.error}`);
    proxyListen = parsed;
  }
  return {
    ...base,
    declarative_config: args.config ?? base.declarative_config,
    proxy_listen: proxyListen,
    nginx_worker_processes: args.workers ?? base.nginx_worker_processes,
  };
}

/** Throws AccessLogOpenError when proxy_access_log names a file that cannot be opened. */
function createLogger(settings: Settings): GatewayLogger {
  const target = settings.proxy_access_log.target;
  let logger: GatewayLogger | null = null;
  const accessOut = openAccessLog(target, (error) => {
    logger?.log('error', `proxy_access_log: cannot write to ${target.kind === 'file' ? target.path : target.kind}: ${error.message}`);
  });
  logger = new GatewayLogger({
    level: settings.log_level, format: settings.log_format, accessLog: accessOut !== null, accessOut: accessOut ?? undefined,
  });
  return logger;
}

function workerCount(settings: Settings): number {
  const n = settings.nginx_worker_processes;
  return n === 'auto' ? Math.max(1, os.availableParallelism()) : n;
}

export async function startCommand(argv: string[], options: StartOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const args = parseStartArgs(argv);
  if ('error' in args) {
    process.stderr.write(`luagate start: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  let settings: Settings;
  try {
    settings = effectiveSettings(args, env);
  } catch (error) {
    process.stderr.write(`luagate start: invalid settings:\n${(error as Error).message}\n`);
    return 1;
  }
  const file = settings.declarative_config;
  if (file === null) {
    process.stderr.write(`luagate start: no configuration: give --config FILE (or declarative_config / KONG_DECLARATIVE_CONFIG)\n${USAGE}\n`);
    return 1;
  }
  applyHeapGrowing(settings.heap_growing_percent);
  let logger: GatewayLogger;
  try {
    logger = createLogger(settings);
  } catch (error) {
    if (!(error instanceof AccessLogOpenError)) throw error;
    // A worker tells the primary, which reports it; workers share the primary's stderr.
    if (cluster.isWorker) process.send?.({ type: 'luagate:start-failed', error: error.message });
    else process.stderr.write(`luagate start: ${error.message}\n`);
    return 1;
  }
  const ignoredParameters = settings.proxy_access_log.ignoredParameters;
  if (!cluster.isWorker && ignoredParameters.length > 0) {
    logger.log('warn', `proxy_access_log: nginx parameters after the path are ignored: ${ignoredParameters.join(' ')}`);
  }
  const plugins = (options.pluginSetup ?? defaultPluginSetup)(settings);
  const loadSnapshot = (): ConfigSnapshot => buildSnapshot(loadDeclarativeConfig(file, settings), settings, plugins.factories, plugins.runtime);
  const workerLabel = env.LUAGATE_DEBUG_WORKER_HEADER === '1' ? String(process.pid) : null;

  if (cluster.isWorker) return runWorker(settings, loadSnapshot, logger, workerLabel);

  let first: ConfigSnapshot;
  try {
    first = loadSnapshot();
  } catch (error) {
    process.stderr.write(`luagate start: cannot load ${file}:\n${(error as Error).message}\n`);
    return 1;
  }
  let demo: DemoServices | null = null;
  if (args.withDemoServices) {
    try {
      demo = await startDemoServices();
      logger.log('notice', `demo services: upstream ${demo.upstreamUrl}, token service ${demo.tokenUrl}`);
    } catch (error) {
      process.stderr.write(`luagate start: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const workers = workerCount(settings);
  const controller = workers === 1
    ? await runSingle(settings, first, loadSnapshot, logger, workerLabel)
    : await runPrimary(settings, first, loadSnapshot, logger, workers);
  if ('error' in controller) {
    await demo?.close();
    process.stderr.write(`luagate start: ${controller.error}\n`);
    return 1;
  }
  // Signal handlers go in before the ready line: whoever reads that line may signal at once.
  const stopped = serveUntilStopped(file, args.watch, controller, logger, demo);
  process.stdout.write(`luagate ready: proxy listening on ${controller.addresses.join(', ')} ` +
    `(workers: ${workers}, routes: ${controller.routes}, pid: ${process.pid})\n`);
  return stopped;
}

interface Controller {
  readonly addresses: readonly string[];
  readonly routes: number;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

async function runSingle(settings: Settings, first: ConfigSnapshot, loadSnapshot: () => ConfigSnapshot,
  logger: GatewayLogger, workerLabel: string | null): Promise<Controller | { error: string }> {
  let initial: ConfigSnapshot | null = first;
  const gateway = createGateway({
    settings, logger, workerLabel,
    loadSnapshot: () => {
      const snapshot = initial ?? loadSnapshot();
      initial = null;
      return snapshot;
    },
  });
  let addresses: string[];
  try {
    addresses = (await gateway.start()).map((a) => `${a.address}:${a.port}`);
  } catch (error) {
    await closeSnapshot(first);
    return { error: `cannot listen: ${(error as Error).message}` };
  }
  return {
    addresses,
    routes: first.routes.length,
    reload: async () => { await gateway.reload(); },
    stop: () => gateway.stop(),
  };
}

async function runPrimary(settings: Settings, first: ConfigSnapshot, loadSnapshot: () => ConfigSnapshot,
  logger: GatewayLogger, workers: number): Promise<Controller | { error: string }> {
  await closeSnapshot(first);
  const supervisor = new Supervisor(workers, logger);
  let ready;
  try {
    ready = await supervisor.start();
  } catch (error) {
    await supervisor.shutdown();
    return { error: (error as Error).message };
  }
  return {
    addresses: ready.addresses,
    routes: ready.routes,
    reload: async () => {
      try {
        await closeSnapshot(loadSnapshot());
      } catch (error) {
        logger.log('error', `configuration reload failed, keeping the current configuration: ${(error as Error).message}`);
        return;
      }
      const result = await supervisor.reload();
      logger.log(result.failed === 0 ? 'notice' : 'error',
        `configuration reloaded in ${result.ok} of ${result.ok + result.failed} workers`);
    },
    stop: () => supervisor.shutdown(),
  };
}

async function runWorker(settings: Settings, loadSnapshot: () => ConfigSnapshot, logger: GatewayLogger,
  workerLabel: string | null): Promise<number> {
  const gateway: Gateway = createGateway({ settings, logger, workerLabel, loadSnapshot });
  try {
    const addresses = await gateway.start();
    process.send?.({ type: 'luagate:ready', addresses: addresses.map((a) => `${a.address}:${a.port}`),
      routes: gateway.plan?.routeCount ?? 0 });
  } catch (error) {
    process.send?.({ type: 'luagate:start-failed', error: (error as Error).message });
    return 1;
  }
  return new Promise<number>((resolve) => {
    serveAsWorker({
      reload: async () => {
        const result = await gateway.reload();
        return result.ok
          ? { type: 'luagate:reloaded', ok: true, routes: result.routes }
          : { type: 'luagate:reloaded', ok: false, error: result.error.message };
      },
      shutdown: async () => {
        await gateway.stop();
        resolve(0);
      },
    });
  });
}

function serveUntilStopped(file: string, watch: boolean, controller: Controller, logger: GatewayLogger,
  demo: DemoServices | null): Promise<number> {
  return new Promise<number>((resolve) => {
    let reloading: Promise<void> = Promise.resolve();
    const reload = (): void => {
      reloading = reloading.then(() => controller.reload()).catch((error: unknown) => {
        logger.log('error', `configuration reload failed: ${(error as Error).message}`);
      });
    };
    const watcher = watch ? watchFile(file, reload) : null;
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.log('notice', `received ${signal}: stopping (requests in flight finish first)`);
      watcher?.close();
      void controller.stop().then(() => demo?.close()).then(() => {
        process.off('SIGHUP', onHup);
        logger.log('notice', 'stopped');
        resolve(0);
        // Anything still holding the event loop (a plugin's connection) must not keep a stopped gateway alive.
        setTimeout(() => process.exit(0), 2000).unref();
      });
    };
    const onHup = (): void => reload();
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

function watchFile(file: string, onChange: () => void): fs.FSWatcher {
  const base = path.basename(file);
  let timer: NodeJS.Timeout | null = null;
  // Editors replace files by rename, so watch the directory and debounce bursts of events.
  return fs.watch(path.dirname(path.resolve(file)), (_event, name) => {
    if (name !== null && name !== base) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; onChange(); }, 150);
  });
}
