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
  /** Named groups (JS names), when the pattern has any. */
  readonly named?: Readonly<Record<string, string | undefined>>;
}

/** The first match (null: none), or every match for a job with `all`. */
export type IsolatedReply = null | IsolatedMatch | readonly IsolatedMatch[];

const STARTUP_LIMIT_MS = 10_000;
// Slots of the shared signal: the worker sets DONE after each answer and READY once started; IDLE
// never changes (waiting on it is a short pause).
const DONE = 0;
const READY = 1;
const IDLE = 2;

/**
 * How long an isolated match may take: at most `timeLimitMs` (lua_time_budget_ms) and never past
 * the running Lua call's deadline, so a loop of stopped matches cannot outlast the call's budget
 * between two checks of the budget hook.
 */
export interface RegexBudget {
  readonly timeLimitMs: number;
  /** performance.now() past which the running Lua call is over budget (Infinity outside one). */
  deadline(): number;
}

const NO_BUDGET: RegexBudget = { timeLimitMs: 500, deadline: () => Infinity };
/** The budget of the ngx.re call running now (engines differ; set around each call). */
let budget: RegexBudget = NO_BUDGET;
/** Set when a worker never started: matches then run in place rather than wait each time. */
let unavailable = false;

/** Runs `work` (one ngx.re call) with `callBudget` limiting its isolated matches. */
export function withRegexBudget<T>(callBudget: RegexBudget, work: () => T): T {
  const previous = budget;
  budget = callBudget;
  try {
    return work();
  } finally {
    budget = previous;
  }
}

function limitMs(): number {
  return Math.min(budget.timeLimitMs, budget.deadline() - performance.now());
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
  exec(source: string, flags: string, text: string, lastIndex: number, all: boolean, waitMs: number): IsolatedReply | undefined {
    if (Atomics.wait(this.signal, READY, 0, STARTUP_LIMIT_MS) === 'timed-out') {
      this.stop();
      unavailable = true;
      return undefined;
    }
    if (waitMs <= 0) throw new RegexMatchLimitError(0, true);
    Atomics.store(this.signal, DONE, 0);
    const job: IsolatedJob = text === this.lastText ? { source, flags, lastIndex, all } : { source, flags, text, lastIndex, all };
    this.port.postMessage(job);
    this.lastText = text;
    const deadline = performance.now() + waitMs;
    if (Atomics.wait(this.signal, DONE, 0, waitMs) !== 'timed-out') {
      // The worker posts before it flags, so the answer is queued by now; the loop is a safety net.
      do {
        const received = receiveMessageOnPort(this.port);
        if (received !== undefined) return received.message as IsolatedReply;
      } while (Atomics.wait(this.signal, IDLE, 0, 1) === 'timed-out' && performance.now() < deadline);
    }
    this.stop();
    throw new RegexMatchLimitError(waitMs);
  }

  stop(): void {
    this.broken = true;
    this.worker.terminate().catch(() => undefined);
  }
}

let current: MatchWorker | null = null;

function worker(): MatchWorker | null {
  if (unavailable) return null;
  if (current === null || current.broken) current = new MatchWorker();
  return current;
}

/**
 * `new RegExp(source, flags)` run at `lastIndex` of `text` where it can be stopped. undefined when
 * the worker could not start (the caller matches in place); RegexMatchLimitError past the limit.
 */
export function execIsolated(source: string, flags: string, text: string, lastIndex: number): IsolatedMatch | null | undefined {
  return worker()?.exec(source, flags, text, lastIndex, false, limitMs()) as IsolatedMatch | null | undefined;
}

/** Every match from `lastIndex` on, in one round trip; the time limit covers them all. */
export function execAllIsolated(source: string, flags: string, text: string, lastIndex: number): readonly IsolatedMatch[] | undefined {
  return worker()?.exec(source, flags, text, lastIndex, true, limitMs()) as readonly IsolatedMatch[] | undefined;
}
