// Kong's read_timeout (nginx's proxy_read_timeout): how long a peer may leave the gateway waiting
// for the next bytes of its answer once the request has been sent. undici can time reads itself,
// but it gives every request a timer object of its own that stays in its timer list until the
// list's next pass, about half a second later: under load each one outlives two young-generation
// collections and is promoted (the largest promoted allocation site under the chained load), and
// timeouts over a second fire up to a second late. Here one coarse sweep over the calls in flight
// does the same job: a read only bumps a counter, and the sweep, a few times a second, notices the
// calls whose counter has not moved for their timeout. No clock is read per call.
//
// The calls sit in an array of slots (a call knows its index), not in a Set nor in a list linked
// through the calls: a long-lived Set that churns leaves its outgrown hash tables in old space
// still pointing at calls that were in it, and a promoted call in a list points at young ones;
// young-generation collections treat such pointers as live until the next full collection, so
// requests survived their scavenges and were promoted (passthrough -10 % with the Set, chained
// about -2.5 % with the list; bench/RESULTS.md). An emptied slot holds null.

/** A call whose reads are timed: the dispatch handlers of upstream calls and callouts extend it. */
export abstract class ReadTimedCall {
  /** True while the call waits for the peer: the request is sent and the caller takes the answer. */
  private waiting = false;
  /** Reads so far (and restarts of the wait); the sweep compares it with what it saw last time. */
  private reads = 0;
  private sweptReads = -1;
  /** Date.now() of the sweep that first saw the counter where it is. */
  private quietSince = 0;
  /** Index in ReadTimeouts' slots while watched, else -1. */
  readSlot = -1;

  /** `readTimeoutMs`: the longest wait for the next bytes (> 0). */
  constructor(readonly readTimeoutMs: number) {}

  /** The peer took too long: the call aborts itself. Called once; the call is no longer watched. */
  abstract readTimedOut(): void;

  /** The wait starts, or starts again: the request is sent, bytes arrived, or the caller resumed. */
  protected readProgress(): void {
    this.waiting = true;
    this.reads++;
  }

  /** Not waiting for the peer: still sending, or the caller holds the answer back. */
  protected readPaused(): void {
    this.waiting = false;
  }

  /** Called by the sweep at `now`: true when the peer has been quiet for the whole timeout. */
  quietTooLong(now: number): boolean {
    if (!this.waiting) return false;
    if (this.reads !== this.sweptReads) {
      this.sweptReads = this.reads;
      this.quietSince = now;
      return false;
    }
    return now - this.quietSince >= this.readTimeoutMs;
  }
}

/** The sweep runs every timeout ÷ SWEEPS_PER_TIMEOUT ms (the shortest in flight), within these bounds. */
const SWEEPS_PER_TIMEOUT = 8;
const MIN_SWEEP_MS = 5;
const MAX_SWEEP_MS = 250;

function sweepPeriodFor(timeoutMs: number): number {
  return Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(timeoutMs / SWEEPS_PER_TIMEOUT)));
}

/**
 * The calls in flight and one timer that sweeps them. A call times out between its timeout and its
 * timeout plus one sweep period (at most an eighth of the timeout, or 250 ms): nginx's timers are
 * exact, undici's fast timers up to a second late.
 */
export class ReadTimeouts {
  private readonly slots: Array<ReadTimedCall | null> = [];
  private readonly freeSlots: number[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private periodMs = MAX_SWEEP_MS;

  /** Calls being watched (for specs: it must fall back to 0 when traffic stops). */
  get size(): number {
    return this.count;
  }

  /** Watches `call` until unwatch() or its timeout. */
  watch(call: ReadTimedCall): void {
    if (call.readSlot >= 0) return;
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop() as number : this.slots.length;
    this.slots[slot] = call;
    call.readSlot = slot;
    this.count++;
    const period = sweepPeriodFor(call.readTimeoutMs);
    if (this.timer === null || period < this.periodMs) this.schedule(period);
  }

  unwatch(call: ReadTimedCall): void {
    const slot = call.readSlot;
    if (slot < 0) return;
    this.slots[slot] = null;
    this.freeSlots.push(slot);
    call.readSlot = -1;
    this.count--;
  }

  private schedule(periodMs: number): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.periodMs = periodMs;
    this.timer = setInterval(() => this.sweep(), periodMs);
    // The sockets of the calls keep the process alive, not this timer.
    this.timer.unref();
  }

  private sweep(): void {
    if (this.count === 0) {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    const now = Date.now();
    let shortest = Infinity;
    let late: ReadTimedCall[] | null = null;
    for (const call of this.slots) {
      if (call === null) continue;
      if (call.quietTooLong(now)) {
        (late ??= []).push(call);
      } else if (call.readTimeoutMs < shortest) {
        shortest = call.readTimeoutMs;
      }
    }
    // Aborted after the walk: an abort can end other calls at once.
    if (late !== null) {
      for (const call of late) this.unwatch(call);
      for (const call of late) call.readTimedOut();
    }
    // Back to a slower sweep once the short timeouts are gone.
    if (shortest !== Infinity && sweepPeriodFor(shortest) > this.periodMs * 2) this.schedule(sweepPeriodFor(shortest));
  }
}

/** The process's one sweep, shared by upstream calls and callouts. */
export const readTimeouts = new ReadTimeouts();
