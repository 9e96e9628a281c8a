// Runs one RegExp match on a worker thread and waits for it synchronously (the Lua call that asked
// is synchronous). A match past the time limit terminates the worker, which V8 can do mid-match,
// and fails with RegexMatchLimitError; the next isolated match starts a fresh worker. A round trip
// costs tens of microseconds, so only matches whose backtracking bound is high come here.
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { RegexMatchLimitError } from './errors';

export interface IsolatedJob {
  readonly source: string;
  readonly flags: string;
  /** Omitted when the worker already holds the same subject (gsub and gmatch match it repeatedly). */
  readonly text?: string;
  readonly lastIndex: number;
  /** Every match from lastIndex on (gsub, gmatch) rather than the first. */
  readonly all: boolean;
}

export interface IsolatedMatch {
  readonly index: number;
  readonly groups: ReadonlyArray<string | undefined>;
  readonly indices?: ReadonlyArray<readonly [number, number] | undefined>;
}

/** The first match (null: none), or every match for a job with `all`. */
export type IsolatedReply = null | IsolatedMatch | readonly IsolatedMatch[];

const STARTUP_LIMIT_MS = 10_000;
// Slots of the shared signal: the worker sets DONE after each answer and READY once started; IDLE
// never changes (waiting on it is a short pause).
const DONE = 0;
const READY = 1;
const IDLE = 2;

let timeLimitMs = 500;

/** The time one isolated match may take (the Lua call budget, lua_time_budget_ms). */
export function setRegexTimeLimit(ms: number): void {
  timeLimitMs = ms;
}

class MatchWorker {
  private readonly signal = new Int32Array(new SharedArrayBuffer(12));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private lastText: string | null = null;
  broken = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(path.join(__dirname, 'match-worker.js'), {
      workerData: { port: port2, signal: this.signal },
      transferList: [port2],
    });
    this.worker.on('error', () => { this.broken = true; });
    this.worker.on('exit', () => { this.broken = true; });
    this.worker.unref();
    this.port.unref();
  }

  /** The match, or undefined when the worker could not start (the caller matches in place). */
  exec(source: string, flags: string, text: string, lastIndex: number, all: boolean, limitMs: number): IsolatedReply | undefined {
    if (Atomics.wait(this.signal, READY, 0, STARTUP_LIMIT_MS) === 'timed-out') {
      this.stop();
      return undefined;
    }
    Atomics.store(this.signal, DONE, 0);
    const job: IsolatedJob = text === this.lastText ? { source, flags, lastIndex, all } : { source, flags, text, lastIndex, all };
    this.port.postMessage(job);
    this.lastText = text;
    const deadline = performance.now() + limitMs;
    if (Atomics.wait(this.signal, DONE, 0, limitMs) !== 'timed-out') {
      // The worker posts before it flags, so the answer is queued by now; the loop is a safety net.
      do {
        const received = receiveMessageOnPort(this.port);
        if (received !== undefined) return received.message as IsolatedReply;
      } while (Atomics.wait(this.signal, IDLE, 0, 1) === 'timed-out' && performance.now() < deadline);
    }
    this.stop();
    throw new RegexMatchLimitError(limitMs);
  }

  stop(): void {
    this.broken = true;
    this.worker.terminate().catch(() => undefined);
  }
}

let current: MatchWorker | null = null;

function worker(): MatchWorker {
  if (current === null || current.broken) current = new MatchWorker();
  return current;
}

/**
 * `new RegExp(source, flags)` run at `lastIndex` of `text` where it can be stopped. undefined when
 * the worker could not start (the caller matches in place); RegexMatchLimitError past the limit.
 */
export function execIsolated(source: string, flags: string, text: string, lastIndex: number): IsolatedMatch | null | undefined {
  return worker().exec(source, flags, text, lastIndex, false, timeLimitMs) as IsolatedMatch | null | undefined;
}

/** Every match from `lastIndex` on, in one round trip; the time limit covers them all. */
export function execAllIsolated(source: string, flags: string, text: string, lastIndex: number): readonly IsolatedMatch[] | undefined {
  return worker().exec(source, flags, text, lastIndex, true, timeLimitMs) as readonly IsolatedMatch[] | undefined;
}
