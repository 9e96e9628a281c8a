import { expect } from 'chai';
import { ReadTimedCall, ReadTimeouts } from '../../src/util/read-timeouts';

/** A watched call that records when it timed out; `read()` and `pause()` are what a handler does. */
class Call extends ReadTimedCall {
  fired = false;
  readonly timedOut: Promise<number>;
  private resolve: (at: number) => void = () => undefined;
  startedAt = Date.now();

  constructor(readTimeoutMs: number, waiting: boolean) {
    super(readTimeoutMs);
    this.timedOut = new Promise<number>((r) => { this.resolve = r; });
    if (waiting) this.read();
  }

  read(): void {
    this.startedAt = Date.now();
    this.readProgress();
  }

  pause(): void {
    this.readPaused();
  }

  readTimedOut(): void {
    this.fired = true;
    this.resolve(Date.now());
  }
}

describe('08-util ReadTimeouts (one sweep for every call in flight)', () => {
  it('times a waiting call out no earlier than its timeout, once, and stops watching it', async () => {
    const watch = new ReadTimeouts();
    const c = new Call(40, true);
    watch.watch(c);
    const at = await c.timedOut;
    expect(at - c.startedAt).to.be.at.least(40);
    expect(watch.size).to.equal(0);
  });

  it('leaves alone a call that is not waiting (still sending), a paused one and one with a longer timeout', async () => {
    const watch = new ReadTimeouts();
    const sending = new Call(40, false);
    const paused = new Call(40, true);
    paused.pause();
    const patient = new Call(60_000, true);
    const short = new Call(40, true);
    // The 60 s call first: the sweep must still speed up for the 40 ms ones.
    for (const c of [patient, sending, paused, short]) watch.watch(c);
    await short.timedOut;
    expect([sending.fired, paused.fired, patient.fired]).to.deep.equal([false, false, false]);
    expect(watch.size).to.equal(3);
    for (const c of [patient, sending, paused]) watch.unwatch(c);
    expect(watch.size).to.equal(0);
  });

  it('a call that read something is timed from that read', async () => {
    const watch = new ReadTimeouts();
    const refreshed = new Call(80, true);
    const reference = new Call(40, true);
    watch.watch(refreshed);
    watch.watch(reference);
    await reference.timedOut;
    refreshed.read();
    const at = await refreshed.timedOut;
    expect(at - refreshed.startedAt).to.be.at.least(80);
  });

  it('unwatching in any order keeps the others watched', () => {
    const watch = new ReadTimeouts();
    const calls = Array.from({ length: 5 }, () => new Call(60_000, true));
    for (const c of calls) watch.watch(c);
    watch.watch(calls[2]);
    expect(watch.size).to.equal(5);
    for (const i of [2, 0, 4]) watch.unwatch(calls[i]);
    watch.unwatch(calls[2]);
    expect(watch.size).to.equal(2);
    for (const i of [1, 3]) watch.unwatch(calls[i]);
    expect(watch.size).to.equal(0);
  });
});
