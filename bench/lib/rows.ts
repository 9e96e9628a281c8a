/** Runs one bench row end to end: start the system, check it once, measure it, stop it. */
import { checkOnce } from './check';
import type { Layout } from './layout';
import { Timing, measure } from './measure';
import { stopProcess } from './processes';
import type { Row } from './report';
import type { Scenario } from './scenarios';
import { Backends, RunningSystem, SystemName, SystemUnavailableError, startSystem } from './systems';

export interface RowContext {
  readonly backends: Backends;
  readonly backendPids: readonly number[];
  readonly layout: Layout;
  readonly timing: Timing;
  readonly connections: number | null;
  /** Re-measure a row once when foreign CPU load exceeded this percent of a core (null: never). */
  readonly retryDisturbedAbovePercent: number | null;
  /** Processes that must be stopped if the harness is interrupted. */
  readonly live: Set<RunningSystem>;
}

const START_TIMEOUT_MS = 15_000;

export async function runRow(system: SystemName, scenario: Scenario, workers: number, ctx: RowContext): Promise<Row> {
  const cpus = ctx.layout.sutCpusFor(workers);
  const connections = ctx.connections ?? scenario.connections;
  const base = { scenario: scenario.name, system, workers, cpus, connections };
  let running: RunningSystem;
  try {
    running = await startSystem(system, scenario, ctx.backends, { cpus, workers, startTimeoutMs: START_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof SystemUnavailableError) return { ...base, status: 'skipped', note: err.message };
    return { ...base, status: 'failed', note: err instanceof Error ? err.message : String(err) };
  }
  ctx.live.add(running);
  try {
    const problem = await checkOnce(running.url, scenario);
    if (problem !== null) return { ...base, status: 'failed', note: `check request: ${problem}` };
    let m = await measure(running, scenario, ctx.backendPids, ctx.timing, connections);
    if (ctx.retryDisturbedAbovePercent !== null && m.otherCpuPercent > ctx.retryDisturbedAbovePercent) {
      // Foreign load disturbed the run: measure once more and keep the quieter of the two.
      const again = await measure(running, scenario, ctx.backendPids, ctx.timing, connections);
      if (again.otherCpuPercent < m.otherCpuPercent) m = again;
    }
    const socketErrors = m.wrk.errors.connect + m.wrk.errors.read + m.wrk.errors.write + m.wrk.errors.timeout;
    return {
      ...base,
      status: 'ok',
      rps: m.wrk.requestsPerSecond,
      p50Ms: m.wrk.latencyMs.p50,
      p99Ms: m.wrk.latencyMs.p99,
      cpuPerRequestUs: m.cpuPerRequestUs,
      systemCpuPercent: m.systemCpuPercent,
      otherCpuPercent: m.otherCpuPercent,
      rssMb: m.rssMb,
      non2xx: m.wrk.errors.status,
      socketErrors,
      ...(m.wrk.errors.status + socketErrors > 0 ? { note: `${m.wrk.errors.status} non-2xx, ${socketErrors} socket errors` } : {}),
    };
  } catch (err) {
    return { ...base, status: 'failed', note: err instanceof Error ? err.message : String(err) };
  } finally {
    await stopProcess(running.started);
    ctx.live.delete(running);
  }
}
