// The gateway's one V8 tuning. Left alone, V8 sometimes lets old space grow to three or four
// times the live data before a full collection: under steady load RSS then jumps by 30–40 % for
// a few seconds and falls back. A fixed growing factor keeps the heap within a constant multiple
// of what is live, and the RSS sawtooth's height follows it (chained 5-minute soaks, max deviation
// from the median sample: 5.5 % at factor 2.3, 8.3 % at 2.4, 9–9.5 % at 2.5, 10–15 % at 3).
// Too small a factor starves uploads: with 1 MB bodies the live heap is about 13 MB, and at 2.1
// or below V8 starts incremental marking on its allocation limit again and again (1 MB bodies
// about 40 % slower); at 2.3 it does so only while the heap settles in the first second of load.
// Hence 130 % by default (bench/RESULTS.md, fourteenth session).
import { setFlagsFromString } from 'node:v8';

/** Applies heap_growing_percent to this process (0: V8's own heuristics, nothing is set). */
export function applyHeapGrowing(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
