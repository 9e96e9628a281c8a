/** Starting, pinning, waiting for and stopping the processes of a bench run. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { OUT_DIR } from './paths';
import { processTree, readStat } from './procfs';

export class ProcessStartError extends Error {
  constructor(readonly label: string, message: string, readonly logFile: string) {
    super(`${label}: ${message} (log: ${path.relative(process.cwd(), logFile)})`);
  }
}

export interface Started {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Date.now() when it was spawned (V8's --trace-gc times count from about then). */
  readonly startedAtMs: number;
}

const LOG_DIR = path.join(OUT_DIR, 'logs');
const TASKSET_AVAILABLE = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

export function canPin(): boolean {
  return TASKSET_AVAILABLE;
}

/**
 * Starts `command args` with its output in bench/out/logs/<label>.log, on `cpus` when given;
 * `env` is merged over this process's environment.
 */
export function startProcess(label: string, command: string, args: readonly string[], cpus: string | null,
  env: NodeJS.ProcessEnv = {}): Started {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${label.replace(/[^\w.-]+/g, '_')}.log`);
  const log = fs.openSync(logFile, 'w');
  // taskset execs the command, so the pid we get is the pid of the command itself.
  const [file, argv] = cpus !== null && TASKSET_AVAILABLE
    ? ['taskset', ['-c', cpus, command, ...args]]
    : [command, [...args]];
  const child = spawn(file, argv, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  fs.closeSync(log);
  if (child.pid === undefined) throw new ProcessStartError(label, `could not spawn ${command}`, logFile);
  return { label, child, pid: child.pid, logFile, startedAtMs: Date.now() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once the port accepts connections; rejects if the process exits or the deadline passes. */
export async function waitForPort(started: Started, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | null = null;
  const onExit = (code: number | null, signal: string | null): void => {
    exited = `exited early (code ${code}, signal ${signal})`;
  };
  started.child.once('exit', onExit);
  try {
    while (Date.now() < deadline) {
      if (exited !== null) throw new ProcessStartError(started.label, exited, started.logFile);
      if (await tryConnect(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new ProcessStartError(started.label, `port ${port} not accepting after ${timeoutMs} ms`, started.logFile);
  } finally {
    started.child.off('exit', onExit);
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after a grace period; descendants (cluster workers) are stopped by pid too. */
export async function stopProcess(started: Started): Promise<void> {
  const tree = processTree(started.pid).filter((pid) => pid !== started.pid);
  started.child.kill('SIGTERM');
  if (!(await waitForExit(started.child, 5000))) {
    started.child.kill('SIGKILL');
    await waitForExit(started.child, 2000);
  }
  for (const pid of tree) {
    // Only a leftover of this tree: still a child of the stopped process or orphaned to init.
    const ppid = readStat(pid)?.ppid;
    if (ppid !== started.pid && ppid !== 1) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as expected after a clean shutdown
    }
  }
}

/** Output of the process so far, for error messages. */
export function tailLog(started: Started, lines = 8): string {
  try {
    return fs.readFileSync(started.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
