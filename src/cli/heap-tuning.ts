// The gateway's one V8 tuning. Left alone, V8 sometimes lets old space grow to three or four
// times the live data before a full collection: under steady load RSS then jumps by 30–40 % for
// a few seconds and falls back (bench/RESULTS.md, soak). A fixed growing factor keeps the heap
// within a constant multiple of what is live. Too small a factor costs throughput where large
// buffers churn (1.5 made the 1 MB body scenario 20 % slower: each buffer counts towards the next
// collection); 2 (the default, 100 %) measured flat RSS and no loss.
import { setFlagsFromString } from 'node:v8';

/** Applies heap_growing_percent to this process (0: V8's own heuristics, nothing is set). */
export function applyHeapGrowing(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
