// Rate-limits repeated warnings from one source so a dead backend produces one log line per
// interval instead of one per request; the next line reports how many were suppressed.

import type { CacheLogger } from './strategy';

export class WarnThrottle {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: CacheLogger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(message: string): void {
    const now = this.now();
    if (now - this.lastLoggedAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const suffix = this.suppressed > 0 ? ` (${this.suppressed} similar warnings suppressed)` : '';
    this.lastLoggedAt = now;
    this.suppressed = 0;
    this.logger('warn', message + suffix);
  }

  /** Lets the next warning through at once (used after a recovery, so a new outage is reported). */
  reset(): void {
    this.lastLoggedAt = Number.NEGATIVE_INFINITY;
  }
}
