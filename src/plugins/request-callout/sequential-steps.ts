// The callouts of one request in dependency order, then the upstream step (sequential mode, the
// default). A callout that goes to the network reports back through this object instead of a
// promise per step: the request's steps share one promise, made when the first of them waits.
import type { MaybePromise } from '../maybe-async';
import { REPORTS_LATER, runCallout, type StepReport } from './callout-step';
import type { CompiledCallout, CompiledUpstream } from './compiled';
import type { Exchange } from '../../pdk/exchange';
import type { PdkScope } from '../../pdk/scope';
import type { InstanceShared, RequestRun } from './request-run';
import { runUpstreamStep } from './upstream-step';

/** A report that came while runCallout was still on the stack (a send refused at once). */
type EarlyReport = { readonly ok: boolean } | { readonly error: unknown };

/** The request's run and its step loop in one object, so a request whose steps all finish at once (a cache hit) makes one object here. */
export class SequentialSteps implements RequestRun, StepReport {
  finished = false;
  private next = 0;
  private inStep = false;
  private early: EarlyReport | null = null;
  private finish: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(readonly shared: InstanceShared, readonly exchange: Exchange, readonly scope: PdkScope,
    private readonly callouts: readonly CompiledCallout[], private readonly sequence: readonly number[],
    private readonly upstream: CompiledUpstream) {}

  /** Runs the steps; done at once when none waits, else a promise of the end (or of the error). */
  start(): MaybePromise<void> {
    if (this.advance()) return;
    return new Promise<void>((resolve, reject) => { this.finish = { resolve, reject }; });
  }

  // Methods, not per-instance closures: a request whose steps all finish at once needs neither.
  resume(ok: boolean): void {
    if (this.inStep) { this.early = { ok }; return; }
    this.continueAfter(ok);
  }

  fail(error: unknown): void {
    if (this.inStep) { this.early = { error }; return; }
    this.finish?.reject(error);
  }

  private continueAfter(ok: boolean): void {
    let done: boolean;
    try {
      done = !ok || this.advance();
    } catch (error) {
      this.finish?.reject(error);
      return;
    }
    if (done) this.finish?.resolve();
  }

  /**
   * Runs steps from `next` on for as long as they finish at once; true when the request's steps
   * are over, false when one waits (it calls resume or fail, or a promise settles, later).
   * Throws what a step throws at once.
   */
  private advance(): boolean {
    const sequence = this.sequence;
    while (this.next < sequence.length) {
      const callout = this.callouts[sequence[this.next++]];
      this.inStep = true;
      let ran: ReturnType<typeof runCallout>;
      try {
        ran = runCallout(this, callout, this);
      } finally {
        this.inStep = false;
      }
      if (ran === REPORTS_LATER) {
        const early = this.early;
        if (early === null) return false;
        this.early = null;
        if ('error' in early) throw early.error;
        ran = early.ok;
      }
      if (ran instanceof Promise) {
        ran.then((ok) => this.continueAfter(ok), (error: unknown) => this.fail(error));
        return false;
      }
      if (!ran) return true;
    }
    const last = runUpstreamStep(this, this.upstream);
    if (!(last instanceof Promise)) return true;
    last.then(() => this.finish?.resolve(), (error: unknown) => this.fail(error));
    return false;
  }
}
