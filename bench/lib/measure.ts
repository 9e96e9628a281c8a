/** One bench row: warm up, then a measured wrk run with CPU, RSS and foreign-load readings around it. */
import { CLOCK_TICKS_PER_SECOND, boxBusyTicks, processTree, selfTicks, treeUsage } from './procfs';
import type { Scenario } from './scenarios';
import type { RunningSystem } from './systems';
import { WrkResult, runWrk } from './wrk';

export interface Timing {
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly loadCpus: string | null;
  /** Longest wait for foreign load to calm down before a measured run. */
  readonly quietWaitSeconds: number;
}

const QUIET_PERCENT = 15;

/**
 * The box is shared: before measuring, wait (bounded) until the CPU busy time of the last second,
 * with the system under test idle, is below QUIET_PERCENT of one core. Returns that busy percent.
 */
async function waitForQuietBox(maxSeconds: number): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  let busyPercent = 0;
  do {
    const before = boxBusyTicks();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    busyPercent = ((boxBusyTicks() - before) / CLOCK_TICKS_PER_SECOND) * 100;
    if (busyPercent < QUIET_PERCENT) break;
  } while (Date.now() < deadline);
  return busyPercent;
}

export interface Measurement {
  readonly wrk: WrkResult;
  /** CPU time of the system's process tree per completed request, microseconds. */
  readonly cpuPerRequestUs: number;
  /** CPU of the system's process tree, percent of one core. */
  readonly systemCpuPercent: number;
  /** CPU of everything that is neither the system, the backends, wrk nor the harness: a disturbance flag. */
  readonly otherCpuPercent: number;
  readonly rssMb: number;
  readonly processes: number;
}

function ticksToSeconds(ticks: number): number {
  return ticks / CLOCK_TICKS_PER_SECOND;
}

export async function measure(system: RunningSystem, scenario: Scenario, backendPids: readonly number[],
  timing: Timing, connections: number): Promise<Measurement> {
  const load = { url: system.url, connections, bodyBytes: scenario.bodyBytes, cpus: timing.loadCpus };
  await waitForQuietBox(timing.quietWaitSeconds);
  if (timing.warmupSeconds > 0) await runWrk({ ...load, seconds: timing.warmupSeconds });
  // Taken after the warm-up, so cluster workers exist.
  const pids = processTree(system.started.pid);
  const before = { sys: treeUsage(pids), backends: treeUsage(backendPids), box: boxBusyTicks(), self: selfTicks() };
  const wrk = await runWrk({ ...load, seconds: timing.measureSeconds });
  const after = { sys: treeUsage(pids), backends: treeUsage(backendPids), box: boxBusyTicks(), self: selfTicks() };
  const systemTicks = after.sys.cpuTicks - before.sys.cpuTicks;
  const harnessTicks = after.self.own + after.self.reaped - before.self.own - before.self.reaped;
  const otherTicks = after.box - before.box - systemTicks - (after.backends.cpuTicks - before.backends.cpuTicks) - harnessTicks;
  const seconds = wrk.durationSeconds > 0 ? wrk.durationSeconds : timing.measureSeconds;
  return {
    wrk,
    cpuPerRequestUs: wrk.requests > 0 ? (ticksToSeconds(systemTicks) * 1e6) / wrk.requests : 0,
    systemCpuPercent: (ticksToSeconds(systemTicks) / seconds) * 100,
    otherCpuPercent: Math.max(0, (ticksToSeconds(otherTicks) / seconds) * 100),
    rssMb: after.sys.rssBytes / (1024 * 1024),
    processes: pids.length,
  };
}
