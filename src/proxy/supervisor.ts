// node:cluster orchestration, like nginx's master/workers: the primary forks N workers, waits
// until each listens, fans out reloads, drains on shutdown, and replaces a worker that dies.
import cluster, { type Worker } from 'node:cluster';
import type { LogSink } from '../pdk/exchange';

export type PrimaryMessage = { readonly type: 'luagate:reload' } | { readonly type: 'luagate:shutdown' };
export type WorkerMessage =
  | { readonly type: 'luagate:ready'; readonly addresses: readonly string[]; readonly routes: number }
  | { readonly type: 'luagate:start-failed'; readonly error: string }
  | { readonly type: 'luagate:reloaded'; readonly ok: boolean; readonly routes?: number; readonly error?: string };

export interface ReadyInfo {
  readonly addresses: readonly string[];
  readonly routes: number;
}

export class WorkerStartError extends Error {
  constructor(readonly reason: string) {
    super(`a worker failed to start: ${reason}`);
    this.name = 'WorkerStartError';
  }
}

function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' &&
    (value as { type: string }).type.startsWith('luagate:');
}

export class Supervisor {
  private readonly workers = new Set<Worker>();
  private shuttingDown = false;

  constructor(private readonly count: number, private readonly log: LogSink) {}

  /** Forks the workers; resolves when all listen, rejects when one fails to start. */
  async start(): Promise<ReadyInfo> {
    const ready = await Promise.all(Array.from({ length: this.count }, () => this.fork()));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    return ready[0];
  }

  private fork(): Promise<ReadyInfo> {
    const worker = cluster.fork();
    this.workers.add(worker);
    return new Promise((resolve, reject) => {
      const onMessage = (message: unknown): void => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'luagate:ready') {
          worker.off('message', onMessage);
          worker.off('exit', onEarlyExit);
          resolve({ addresses: message.addresses, routes: message.routes });
        } else if (message.type === 'luagate:start-failed') {
          worker.off('message', onMessage);
          worker.off('exit', onEarlyExit);
          reject(new WorkerStartError(message.error));
        }
      };
      const onEarlyExit = (code: number | null): void => {
        worker.off('message', onMessage);
        reject(new WorkerStartError(`worker ${worker.process.pid} exited with code ${code}`));
      };
      worker.on('message', onMessage);
      worker.once('exit', onEarlyExit);
    });
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    if (!this.workers.delete(worker) || this.shuttingDown) return;
    this.log.log('error', `worker ${worker.process.pid} exited (code ${code}, signal ${signal}); starting a new one`);
    this.fork().catch((error: unknown) => this.log.log('crit', `replacement worker failed: ${(error as Error).message}`));
  }

  /** Asks every worker to reload; resolves with how many succeeded. */
  async reload(): Promise<{ ok: number; failed: number }> {
    const results = await Promise.all([...this.workers].map((worker) => new Promise<boolean>((resolve) => {
      const onMessage = (message: unknown): void => {
        if (!isWorkerMessage(message) || message.type !== 'luagate:reloaded') return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(message.ok);
      };
      const onExit = (): void => { worker.off('message', onMessage); resolve(false); };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.send({ type: 'luagate:reload' } satisfies PrimaryMessage);
    })));
    const ok = results.filter(Boolean).length;
    return { ok, failed: results.length - ok };
  }

  /** Asks every worker to drain and exit; resolves when all have exited. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.workers].map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      worker.send({ type: 'luagate:shutdown' } satisfies PrimaryMessage);
    })));
  }
}

/** Worker side: answer the primary's messages with the given actions. */
export function serveAsWorker(actions: {
  reload(): Promise<WorkerMessage & { type: 'luagate:reloaded' }>;
  shutdown(): Promise<void>;
}): void {
  // The primary coordinates signals; a terminal's Ctrl-C reaches the whole process group.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void actions.shutdown().then(() => process.exit(0));
  };
  process.on('message', (message: unknown) => {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'luagate:reload') void actions.reload().then((reply) => process.send?.(reply));
    else if (type === 'luagate:shutdown') stop();
  });
  process.on('disconnect', stop);
}
