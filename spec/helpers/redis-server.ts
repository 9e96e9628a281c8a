// Real redis-server processes for tests: standalone (optionally with a password), sentinel and a
// three-node cluster. Every process listens on 127.0.0.1 on a free port, keeps its files in a temp
// dir, and is killed when the test process exits.

import { ChildProcess, execFile, spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createConnection, createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const READY_DEADLINE_MS = 15_000;
const POLL_INTERVAL_MS = 25;

export class RedisHelperError extends Error {
  constructor(readonly what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'RedisHelperError';
  }
}

export interface RedisServerOptions {
  /** Starts with --requirepass; readiness checks authenticate with it. */
  readonly password?: string;
  readonly extraArgs?: readonly string[];
  /** Also listen with TLS on a second port (`tlsPort`), with this PEM certificate and key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Run as a sentinel from this config text (`port`, `bind` and `dir` are added). */
  readonly sentinelConfig?: string;
}

export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The TLS port when started with `tls`, else undefined. */
  readonly tlsPort: number | undefined;
  readonly dir: string;
  /** SIGTERM, wait for exit, remove the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (the dir is kept for restart). */
  kill(): Promise<void>;
  /** Start again on the same port with the same arguments (after kill). */
  restart(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing answers (a hung Redis). */
  pause(): void;
  resume(): void;
}

const liveProcesses = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.on('exit', () => {
  for (const child of liveProcesses) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'luagate-redis-'));
  tempDirs.add(dir);
  const port = await freePort();
  const tlsPort = options.tls === undefined ? undefined : await freePort();
  const args = serverArgs(dir, port, options, tlsPort);
  let child = await launch(args, port, options.password);

  const handle: RedisServerHandle = {
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    async stop() {
      await terminate(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
    async kill() {
      await terminate(child, 'SIGKILL');
    },
    async restart() {
      await terminate(child, 'SIGKILL');
      child = await launch(args, port, options.password);
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
  return handle;
}

function serverArgs(dir: string, port: number, options: RedisServerOptions, tlsPort: number | undefined): string[] {
  if (options.sentinelConfig !== undefined) {
    const file = join(dir, 'sentinel.conf');
    writeFileSync(file, `port ${port}\nbind 127.0.0.1\ndir ${dir}\n${options.sentinelConfig}\n`);
    return [file, '--sentinel'];
  }
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  if (options.tls !== undefined && tlsPort !== undefined) {
    args.push('--tls-port', String(tlsPort), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile,
      '--tls-auth-clients', 'no');
  }
  return [...args, ...(options.extraArgs ?? [])];
}

async function launch(args: string[], port: number, password: string | undefined): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  liveProcesses.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      liveProcesses.delete(child);
      reject(new RedisHelperError(`redis-server :${port}`, `exited early (${code ?? signal}) ${stderr.trim()}`));
    });
  });
  exited.catch(() => undefined);
  const auth = password === undefined ? [] : [['AUTH', password]];
  await Promise.race([waitForReply(port, [...auth, ['PING']], (reply) => reply.includes('+PONG')), exited]);
  return child;
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    if (signal === 'SIGTERM') child.kill('SIGCONT');
    child.kill(signal);
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Sends the commands (RESP arrays) on one fresh connection and resolves with everything read
 * once the last reply has arrived, or rejects on connection errors.
 */
export function sendCommands(port: number, commands: ReadonlyArray<readonly string[]>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let received = '';
    let replies = 0;
    socket.setTimeout(2000, () => socket.destroy(new RedisHelperError(`:${port}`, 'no reply')));
    socket.once('error', reject);
    socket.on('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      replies = countTopLevelReplies(received);
      if (replies >= commands.length) {
        socket.end();
        resolve(received);
      }
    });
    socket.once('close', () => {
      if (replies < commands.length) reject(new RedisHelperError(`:${port}`, `closed after: ${received}`));
    });
  });
}

/** Polls until the reply to `commands` satisfies `accept` (bounded by READY_DEADLINE_MS). */
export async function waitForReply(port: number, commands: ReadonlyArray<readonly string[]>,
  accept: (reply: string) => boolean): Promise<string> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  let last = '';
  for (;;) {
    try {
      last = await sendCommands(port, commands);
      if (accept(last)) return last;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new RedisHelperError(`:${port}`, `not ready in time; last reply: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** Counts complete top-level RESP2 replies in `text` (enough for the helper's own checks). */
function countTopLevelReplies(text: string): number {
  let count = 0;
  let pos = 0;
  for (;;) {
    const end = skipReply(text, pos);
    if (end < 0) return count;
    count++;
    pos = end;
  }
}

function skipReply(text: string, pos: number): number {
  const lineEnd = text.indexOf('\r\n', pos);
  if (lineEnd < 0) return -1;
  const type = text[pos];
  const header = text.slice(pos + 1, lineEnd);
  let next = lineEnd + 2;
  if (type === '$') {
    const length = Number(header);
    if (length < 0) return next;
    return Buffer.byteLength(text.slice(next)) >= length + 2 ? next + length + 2 : -1;
  }
  if (type === '*') {
    const items = Number(header);
    for (let i = 0; i < items; i++) {
      next = skipReply(text, next);
      if (next < 0) return -1;
    }
  }
  return next;
}

// ---------------------------------------------------------------- sentinel

export interface SentinelSetup {
  readonly masterName: string;
  readonly master: RedisServerHandle;
  readonly replica: RedisServerHandle;
  readonly sentinel: RedisServerHandle;
  stop(): Promise<void>;
}

/**
 * A master, one replica and one sentinel (quorum 1) that knows both. `password` protects the data
 * nodes, `sentinelPassword` the sentinel itself.
 */
export async function startSentinelSetup(opts: { password?: string; sentinelPassword?: string } = {}): Promise<SentinelSetup> {
  const masterName = 'luagate-master';
  // No diskless-sync delay, so the replica's first full sync starts at once.
  const master = await startRedisServer({ password: opts.password, extraArgs: ['--repl-diskless-sync-delay', '0'] });
  const replicaArgs = ['--replicaof', '127.0.0.1', String(master.port)];
  if (opts.password !== undefined) replicaArgs.push('--masterauth', opts.password);
  const replica = await startRedisServer({ password: opts.password, extraArgs: replicaArgs });
  const replicaAuth = opts.password === undefined ? [] : [['AUTH', opts.password]];
  await waitForReply(replica.port, [...replicaAuth, ['INFO', 'replication']], (r) => r.includes('master_link_status:up'));
  const lines = [
    `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
    `sentinel down-after-milliseconds ${masterName} 60000`,
  ];
  if (opts.password !== undefined) lines.push(`sentinel auth-pass ${masterName} ${opts.password}`);
  if (opts.sentinelPassword !== undefined) lines.push(`requirepass ${opts.sentinelPassword}`);
  const sentinel = await startRedisServer({ sentinelConfig: lines.join('\n'), password: opts.sentinelPassword });
  const auth = opts.sentinelPassword === undefined ? [] : [['AUTH', opts.sentinelPassword]];
  // Ready once the sentinel lists the replica as healthy (it learns it from the master's INFO).
  await waitForReply(sentinel.port, [...auth, ['SENTINEL', 'REPLICAS', masterName]], (reply) =>
    reply.includes(String(replica.port)) && /\r\nslave\r\n/.test(reply));
  return {
    masterName, master, replica, sentinel,
    async stop() {
      await sentinel.stop();
      await replica.stop();
      await master.stop();
    },
  };
}

// ---------------------------------------------------------------- cluster

export interface ClusterSetup {
  readonly nodes: readonly RedisServerHandle[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, all 16384 slots assigned, cluster_state:ok on every node. */
export async function startRedisCluster(): Promise<ClusterSetup> {
  const nodes: RedisServerHandle[] = [];
  for (let i = 0; i < 3; i++) {
    nodes.push(await startRedisServer({
      extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'],
    }));
  }
  await runRedisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas', '0', '--cluster-yes']);
  for (const node of nodes) {
    await waitForReply(node.port, [['CLUSTER', 'INFO']], (reply) => reply.includes('cluster_state:ok'));
  }
  return {
    nodes,
    async stop() {
      for (const node of nodes) await node.stop();
    },
  };
}

/** A self-signed certificate for `commonName` (also its DNS subjectAltName), written to a temp dir. */
export async function selfSignedCertificate(commonName: string): Promise<{ certFile: string; keyFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'luagate-cert-'));
  tempDirs.add(dir);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await new Promise<void>((resolve, reject) => {
    execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '1', '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=DNS:${commonName}`],
    { timeout: READY_DEADLINE_MS }, (err, _stdout, stderr) => {
      if (err) reject(new RedisHelperError('openssl', `${err.message} ${stderr}`));
      else resolve();
    });
  });
  return { certFile, keyFile };
}

function runRedisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, args, { timeout: READY_DEADLINE_MS }, (err, stdout, stderr) => {
      if (err) reject(new RedisHelperError('redis-cli', `${err.message} ${stdout} ${stderr}`));
      else resolve(stdout);
    });
  });
}
