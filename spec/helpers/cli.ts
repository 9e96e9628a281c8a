// Runs the real CLI (`node bin/luagate.js ...`) as a child process and follows its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEchoServer, type EchoRecord, type TestServer } from './servers';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(PROJECT_ROOT, 'bin', 'luagate.js');

export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first line (stdout or stderr, present or future) matching `pattern`. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Kills the process if it is still running (test cleanup). */
  kill(): Promise<void>;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let exitSignal: NodeJS.Signals | null = null;
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => { exitSignal = signal; resolve(code); }));
  const follow = (stream: NodeJS.ReadableStream, lines: string[]): void => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i].pattern.test(line)) {
            waiters[i].resolve(line);
            waiters.splice(i, 1);
          }
        }
      }
    });
  };
  follow(child.stdout as NodeJS.ReadableStream, stdout);
  follow(child.stderr as NodeJS.ReadableStream, stderr);
  return {
    child, stdout, stderr, exited,
    waitForLine(pattern: RegExp): Promise<string> {
      const seen = [...stdout, ...stderr].find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`luagate exited (${code}, ${exitSignal}) before printing ${pattern}\n` +
          `stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`)));
      });
    },
    async kill(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

export interface StartedGateway extends CliProcess {
  readonly url: string;
}

/** `luagate start ...` on 127.0.0.1:0; resolves once the ready line names the address. */
export async function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<StartedGateway> {
  const cli = runCli(['start', '--proxy-listen', '127.0.0.1:0', ...args], env);
  const ready = await cli.waitForLine(/^luagate ready: proxy listening on /);
  const address = /listening on (\S+?):(\d+)/.exec(ready);
  if (!address) throw new Error(`unexpected ready line: ${ready}`);
  return Object.assign(cli, { url: `http://${address[1]}:${address[2]}` });
}

/** A temporary directory with files; removed by the returned cleanup. */
export function tempFiles(files: Record<string, string>): { dir: string; file(name: string): string; write(name: string, text: string): void; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luagate-spec-'));
  const write = (name: string, text: string): void => {
    // write-then-rename, so a reader never sees a half-written file
    const tmp = path.join(dir, `.${name}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(dir, name));
  };
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, file: (name) => path.join(dir, name), write, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export type TempFiles = ReturnType<typeof tempFiles>;

export interface CliSuite {
  /** The suite's echo upstream. */
  readonly echo: EchoServer;
  /** This test's temporary directory, holding kong.yaml. */
  readonly files: TempFiles;
  /** startCli, with the gateway killed after the test. */
  start(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<StartedGateway>;
}

type EchoServer = TestServer & { received: EchoRecord[] };

/**
 * The fixture of CLI specs, to call inside `describe`: an echo upstream for the suite, a fresh
 * temporary directory with kong.yaml (`kongYaml(echoPort)`) per test, and every gateway a test
 * started killed after it.
 */
export function cliSuite(kongYaml: (echoPort: number) => string): CliSuite {
  let echo: EchoServer | null = null;
  let files: TempFiles | null = null;
  const started: StartedGateway[] = [];
  before(async () => { echo = await startEchoServer(); });
  after(async () => { await echo?.close(); });
  beforeEach(() => { files = tempFiles({ 'kong.yaml': kongYaml((echo as EchoServer).port) }); });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((gw) => gw.kill()));
    files?.remove();
  });
  return {
    get echo() { return echo as EchoServer; },
    get files() { return files as TempFiles; },
    async start(args, env) {
      const gw = await startCli(args, env);
      started.push(gw);
      return gw;
    },
  };
}
