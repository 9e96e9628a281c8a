/** Finding (or installing) wrk and running one bounded load run with it. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WRK_SCRIPT } from './paths';

export class WrkUnavailableError extends Error {}

export class WrkRunError extends Error {
  constructor(readonly url: string, message: string) {
    super(`wrk ${url}: ${message}`);
  }
}

export interface WrkResult {
  readonly requests: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly bytesRead: number;
  readonly errors: { connect: number; read: number; write: number; status: number; timeout: number };
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export interface WrkRun {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly bodyBytes: number;
  readonly cpus: string | null;
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && fs.existsSync(path.join(dir, binary)));
}

function aptInstallWrk(): boolean {
  const install = (): boolean =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], { stdio: 'inherit' }).status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  return install();
}

/** wrk is a Debian package: install it when missing and we are root, else explain. */
export function ensureWrk(): void {
  if (onPath('wrk')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    console.log('wrk not found: installing the Debian package with apt-get ...');
    if (aptInstallWrk() && onPath('wrk')) return;
    throw new WrkUnavailableError('apt-get install wrk failed; install wrk and run again');
  }
  throw new WrkUnavailableError(
    'wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install wrk`) and run again; ' +
    'the harness only installs it by itself when run as root on a system with apt-get.');
}

export function wrkVersion(): string {
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return /wrk\s+(\S+)/.exec(text)?.[1] ?? 'unknown';
}

function parse(url: string, output: string): WrkResult {
  const line = output.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (line === undefined) throw new WrkRunError(url, `no summary in output:\n${output.slice(-800)}`);
  const raw = JSON.parse(line.slice('BENCH_JSON '.length)) as {
    requests: number; duration_us: number; bytes: number; errors: WrkResult['errors'];
    latency_us: { p50: number; p90: number; p99: number; max: number; mean: number };
  };
  const durationSeconds = raw.duration_us / 1e6;
  const ms = (us: number): number => us / 1000;
  return {
    requests: raw.requests,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? raw.requests / durationSeconds : 0,
    bytesRead: raw.bytes,
    errors: raw.errors,
    latencyMs: {
      p50: ms(raw.latency_us.p50), p90: ms(raw.latency_us.p90), p99: ms(raw.latency_us.p99),
      max: ms(raw.latency_us.max), mean: ms(raw.latency_us.mean),
    },
  };
}

/** One wrk run (1 thread, --latency), killed if it overruns its duration by 20 s. */
export function runWrk(run: WrkRun): Promise<WrkResult> {
  const args = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '10s', '--latency', '-s', WRK_SCRIPT, run.url];
  const [file, argv] = run.cpus !== null ? ['taskset', ['-c', run.cpus, 'wrk', ...args]] : ['wrk', args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      env: { ...process.env, BENCH_BODY_BYTES: String(run.bodyBytes) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const guard = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 20) * 1000);
    child.once('error', (err) => {
      clearTimeout(guard);
      reject(new WrkRunError(run.url, err.message));
    });
    child.once('close', (code) => {
      clearTimeout(guard);
      if (code !== 0) {
        reject(new WrkRunError(run.url, `exit code ${code}:\n${output.slice(-800)}`));
        return;
      }
      try {
        resolve(parse(run.url, output));
      } catch (err) {
        reject(err);
      }
    });
  });
}
