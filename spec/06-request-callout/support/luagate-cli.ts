// Starts the real CLI, `node bin/luagate.js start --config FILE --proxy-listen 127.0.0.1:PORT
// --workers 1`, on a config written to a temp file; collects its log lines; stops it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'luagate.js');
const READY_DEADLINE_MS = 20_000;

export interface Luagate {
  readonly url: string;
  readonly port: number;
  /** stderr lines (error log) so far. */
  readonly logs: string[];
  /** Resolves with the first log line matching `pattern` (already written or still to come). */
  waitForLog(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
  /** SIGKILL (no drain). */
  kill(): Promise<void>;
}

export class LuagateStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(`${message}\n${output}`);
    this.name = 'LuagateStartError';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const live = new Set<ChildProcess>();
process.on('exit', () => { for (const child of live) child.kill('SIGKILL'); });

export interface StartLuagateOptions {
  readonly env?: Record<string, string>;
  readonly logLevel?: string;
}

export async function startLuagate(config: unknown, options: StartLuagateOptions = {}): Promise<Luagate> {
  const dir = mkdtempSync(join(tmpdir(), 'luagate-rc-'));
  const file = join(dir, 'kong.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'start', '--config', file, '--proxy-listen', `127.0.0.1:${port}`, '--workers', '1'], {
    cwd: ROOT,
    env: { ...process.env, KONG_LOG_LEVEL: options.logLevel ?? 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const logs: string[] = [];
  let output = '';
  const listeners: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      logs.push(line);
      for (const l of listeners.filter((x) => x.pattern.test(line))) {
        listeners.splice(listeners.indexOf(l), 1);
        l.resolve(line);
      }
    }
  });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const exited = new Promise<void>((r) => child.once('exit', () => { live.delete(child); r(); }));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new LuagateStartError('luagate did not become ready', output)); }, READY_DEADLINE_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('luagate ready')) { clearTimeout(timer); resolveReady(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new LuagateStartError(`luagate exited with ${code}`, output)); });
  }).catch((error: unknown) => {
    cleanup();
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    waitForLog(pattern) {
      const found = logs.find((line) => pattern.test(line));
      if (found) return Promise.resolve(found);
      return new Promise((r) => listeners.push({ pattern, resolve: r }));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      cleanup();
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      cleanup();
    },
  };
}
