/**
 * Reads V8's `--trace-gc` lines from a process log: the heap left after each full (mark-compact)
 * collection is what is live then, so it is the number a leak makes grow, whatever the RSS
 * sawtooth between collections does.
 */
import * as fs from 'node:fs';
import { median } from './median';

export interface FullCollection {
  /** Milliseconds since the process started (V8's clock in the trace). */
  readonly atMs: number;
  /** Heap used after the collection, MB. */
  readonly afterMb: number;
}

export interface LiveHeapTrend {
  readonly collections: number;
  readonly firstAfterMb: number;
  readonly lastAfterMb: number;
  /** Median of the last third of the post-collection heaps against the first third's, percent. */
  readonly trendPercent: number;
}

const MARK_COMPACT = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;

export function fullCollections(logText: string): FullCollection[] {
  const out: FullCollection[] = [];
  for (const line of logText.split('\n')) {
    const m = MARK_COMPACT.exec(line);
    if (m) out.push({ atMs: Number(m[1]), afterMb: Number(m[2]) });
  }
  return out;
}

/** The trend of the live heap over the collections from `fromMs` on; null with fewer than 3. */
export function liveHeapTrend(collections: readonly FullCollection[], fromMs: number): LiveHeapTrend | null {
  const counted = collections.filter((c) => c.atMs >= fromMs);
  if (counted.length < 3) return null;
  const third = Math.max(1, Math.floor(counted.length / 3));
  const first = median(counted.slice(0, third).map((c) => c.afterMb));
  const last = median(counted.slice(counted.length - third).map((c) => c.afterMb));
  return {
    collections: counted.length,
    firstAfterMb: counted[0].afterMb,
    lastAfterMb: counted[counted.length - 1].afterMb,
    trendPercent: ((last - first) / first) * 100,
  };
}

export function liveHeapTrendOfLog(logFile: string, fromMs: number): LiveHeapTrend | null {
  return liveHeapTrend(fullCollections(fs.readFileSync(logFile, 'utf8')), fromMs);
}
