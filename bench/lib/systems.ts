/** How each system under test is started for one scenario: direct upstream, undici baseline, luagate, nginx+Lua. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectNginxLua, nginxConf } from './nginx';
import { CONFIG_DIR, LUAGATE_BIN, OUT_DIR, distScript } from './paths';
import { ProcessStartError, Started, freePort, startProcess, stopProcess, tailLog, waitForPort } from './processes';
import type { Scenario } from './scenarios';

export type SystemName = 'direct' | 'undici' | 'luagate' | 'nginx';

export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = {
  direct: 'direct to upstream',
  undici: 'undici baseline',
  luagate: 'luagate',
  nginx: 'nginx + Lua',
};

/** The system cannot run on this machine right now; its rows are skipped with this reason. */
export class SystemUnavailableError extends Error {
  constructor(readonly system: SystemName, reason: string) {
    super(reason);
  }
}

export interface Backends {
  readonly upstreamPort: number;
  readonly calloutPort: number;
}

export interface LaunchOptions {
  readonly cpus: string | null;
  readonly workers: number;
  readonly startTimeoutMs: number;
  /** Flags for the node processes of luagate and the baselines (the soak passes --trace-gc). */
  readonly nodeFlags?: readonly string[];
}

export interface RunningSystem {
  readonly system: SystemName;
  readonly started: Started;
  readonly url: string;
}

const NODE = process.execPath;

async function launch(system: SystemName, label: string, port: number, command: string, args: string[],
  requestPath: string, options: LaunchOptions, env: NodeJS.ProcessEnv = {}): Promise<RunningSystem> {
  const started = startProcess(label, command, args, options.cpus, env);
  try {
    await waitForPort(started, port, options.startTimeoutMs);
  } catch (err) {
    await stopProcess(started);
    if (err instanceof ProcessStartError && system !== 'undici' && system !== 'direct') {
      const lines = tailLog(started, 40).split('\n');
      const at = lines.findIndex((l) => /error/i.test(l));
      const firstError = at < 0 ? undefined : lines.slice(at, at + 2).map((l) => l.trim()).join(' ').slice(0, 240);
      throw new SystemUnavailableError(system, `${system} did not start: ${err.message}${firstError ? ` — ${firstError}` : ''}`);
    }
    throw err;
  }
  return { system, started, url: `http://127.0.0.1:${port}${requestPath}` };
}

/** Writes bench/configs/<file> with the backend addresses filled in, under bench/out/configs/. */
export function materialiseConfig(configFile: string, backends: Backends): string {
  const template = fs.readFileSync(path.join(CONFIG_DIR, configFile), 'utf8');
  const text = template
    .replace(/__UPSTREAM__/g, `127.0.0.1:${backends.upstreamPort}`)
    .replace(/__CALLOUT__/g, `127.0.0.1:${backends.calloutPort}`);
  const dir = path.join(OUT_DIR, 'configs');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, configFile);
  fs.writeFileSync(file, text);
  return file;
}

export async function startSystem(system: SystemName, scenario: Scenario, backends: Backends,
  options: LaunchOptions): Promise<RunningSystem> {
  const port = await freePort();
  const tag = `${system}-${scenario.name}-w${options.workers}`;
  switch (system) {
    case 'direct':
      return launch(system, tag, port, NODE, [distScript('backends/upstream.js'), '--port', String(port)], '/echo', options);
    case 'undici':
      return launch(system, tag, port, NODE, [
        ...(options.nodeFlags ?? []), distScript('baselines/undici-proxy.js'), '--scenario', scenario.name, '--port', String(port),
        '--upstream-port', String(backends.upstreamPort), '--callout-port', String(backends.calloutPort),
        '--processes', String(options.workers),
      ], scenario.routePath, options);
    case 'luagate': {
      if (!fs.existsSync(LUAGATE_BIN)) throw new SystemUnavailableError(system, `${LUAGATE_BIN} not found`);
      const config = materialiseConfig(scenario.configFile, backends);
      // Access log off: the undici baseline and nginx (access_log off) log nothing per request, so all do the same work.
      return launch(system, tag, port, NODE, [
        ...(options.nodeFlags ?? []), LUAGATE_BIN, 'start', '--config', config, '--proxy-listen', `127.0.0.1:${port}`, '--workers', String(options.workers),
      ], scenario.routePath, options, { KONG_PROXY_ACCESS_LOG: 'off' });
    }
    case 'nginx': {
      const install = detectNginxLua();
      if (typeof install === 'string') throw new SystemUnavailableError(system, install);
      const dir = path.join(OUT_DIR, 'nginx', tag);
      fs.mkdirSync(dir, { recursive: true });
      const conf = path.join(dir, 'nginx.conf');
      fs.writeFileSync(conf, nginxConf({
        install, scenario: scenario.name, routePath: scenario.routePath, port,
        upstreamPort: backends.upstreamPort, calloutPort: backends.calloutPort, workers: options.workers, dir,
      }));
      return launch(system, tag, port, install.binary, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')],
        scenario.routePath, options);
    }
  }
}
