/** Soak mode: one system under constant load for a bounded time, RSS and CPU sampled at intervals. */
import { liveHeapTrendOfLog } from './gc-trace';
import { median } from './median';
import { CLOCK_TICKS_PER_SECOND, processTree, treeUsage } from './procfs';
import type { SoakReport, SoakSample } from './report';
import type { Scenario } from './scenarios';
import type { RunningSystem } from './systems';
import { runWrk } from './wrk';

const FLAT_TOLERANCE_PERCENT = 10;

export interface SoakInput {
  readonly system: RunningSystem;
  readonly scenario: Scenario;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly loadCpus: string | null;
}

export async function soak(input: SoakInput): Promise<SoakReport> {
  const load = { url: input.system.url, connections: input.connections, bodyBytes: input.scenario.bodyBytes, cpus: input.loadCpus };
  await runWrk({ ...load, seconds: input.warmupSeconds });
  const pids = processTree(input.system.started.pid);
  // Full collections from here on (the system's own clock): the warm-up's are not counted.
  const measuredFromMs = Date.now() - input.system.started.startedAtMs;
  const intervalMs = Math.max(5, Math.round(input.seconds / 30)) * 1000;
  const samples: SoakSample[] = [];
  const startedAt = Date.now();
  let last = { at: startedAt, ticks: treeUsage(pids).cpuTicks };
  const take = (): void => {
    const now = Date.now();
    const usage = treeUsage(pids);
    const cpuSeconds = (usage.cpuTicks - last.ticks) / CLOCK_TICKS_PER_SECOND;
    samples.push({
      seconds: (now - startedAt) / 1000,
      rssMb: usage.rssBytes / (1024 * 1024),
      cpuPercent: now > last.at ? (cpuSeconds / ((now - last.at) / 1000)) * 100 : 0,
    });
    last = { at: now, ticks: usage.cpuTicks };
  };
  take();
  const timer = setInterval(take, intervalMs);
  let wrk;
  try {
    wrk = await runWrk({ ...load, seconds: input.seconds });
  } finally {
    clearInterval(timer);
  }
  take();
  const verdict = judgeRss(samples, input.seconds);
  const liveHeap = liveHeapTrendOfLog(input.system.started.logFile, measuredFromMs);
  return {
    system: input.system.system,
    scenario: input.scenario.name,
    seconds: input.seconds,
    rps: wrk.requestsPerSecond,
    non2xx: wrk.errors.status,
    samples,
    ...verdict,
    ...(liveHeap !== null ? { liveHeap } : {}),
  };
}

export interface RssVerdict {
  readonly referenceRssMb: number;
  readonly maxDeviationPercent: number;
  readonly lastThirdTrendPercent: number;
  readonly flat: boolean;
}

/**
 * RSS judged from a tenth of the soak on (caches and pools warm). The reference is the median of
 * those samples: RSS swings with V8's heap between full collections, and a single sample taken as
 * the reference lands anywhere on that sawtooth (the verdict then depended on where it fell).
 */
export function judgeRss(samples: readonly SoakSample[], seconds: number): RssVerdict {
  const firstJudged = samples.findIndex((s) => s.seconds >= seconds / 10);
  const later = samples.slice(firstJudged < 0 ? 0 : firstJudged);
  const referenceRssMb = median(later.map((s) => s.rssMb));
  const maxDeviationPercent = Math.max(0, ...later.map((s) => (Math.abs(s.rssMb - referenceRssMb) / referenceRssMb) * 100));
  const lastThirdMedian = median(later.slice(Math.floor((later.length * 2) / 3)).map((s) => s.rssMb));
  return {
    referenceRssMb,
    maxDeviationPercent,
    lastThirdTrendPercent: ((lastThirdMedian - referenceRssMb) / referenceRssMb) * 100,
    flat: maxDeviationPercent <= FLAT_TOLERANCE_PERCENT,
  };
}
