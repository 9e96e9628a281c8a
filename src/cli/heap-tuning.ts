// The gateway's one V8 tuning. Left alone, V8 sometimes lets old space grow to three or four
// times the live data before a full collection: under steady load RSS then jumps by 30–40 % for
// a few seconds and falls back (bench/RESULTS.md, soak). A fixed growing factor keeps the heap
// within a constant multiple of what is live. Too small a factor costs throughput where large
// buffers churn: at 1.5 the 1 MB body scenario lost 20 %, at 2 it lost 25-30 % at 16 connections
// (V8 then starts marking whenever old space has less headroom than the new space's capacity,
// which a small live heap under factor 2 always has); 3 (the default, 200 %) uploads as fast as
// V8's own heuristics, and its RSS sawtooth in the 5-minute soak stays near ±10 % (bench/RESULTS.md).
import { setFlagsFromString } from 'node:v8';

/** Applies heap_growing_percent to this process (0: V8's own heuristics, nothing is set). */
export function applyHeapGrowing(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
