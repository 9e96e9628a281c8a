/**
 * Paired rounds: the undici baseline and luagate served *at the same time* on the same SUT core,
 * each under its own wrk (half the connections each). This VM's speed swings by ±20 % within a
 * minute, so rows measured one after the other compare badly; two systems sharing one core at the
 * same moment see the same interference, and the scheduler gives each about half the core. Their
 * requests/s ratio is then the inverse ratio of their CPU cost per request, and it repeats to a few
 * percent from round to round.
 */
import { checkOnce } from './check';
import type { Timing } from './measure';
import { stopProcess } from './processes';
import { CLOCK_TICKS_PER_SECOND, processTree, treeUsage } from './procfs';
import type { RowContext } from './rows';
import type { Scenario } from './scenarios';
import { RunningSystem, SystemUnavailableError, startSystem } from './systems';
import { runWrk, type WrkResult } from './wrk';
import { median } from './median';

export interface PairedRound {
  readonly undiciRps: number;
  readonly luagateRps: number;
  /** luagate req/s ÷ undici req/s, measured at the same time. */
  readonly ratio: number;
  readonly undiciCpuPerRequestUs: number;
  readonly luagateCpuPerRequestUs: number;
}

export interface PairedResult {
  readonly scenario: string;
  readonly connectionsEach: number;
  readonly rounds: readonly PairedRound[];
  /** Median of the rounds' ratios (null when the pair could not be measured). */
  readonly median: number | null;
  readonly note?: string;
}

const START_TIMEOUT_MS = 15_000;

async function loadBoth(a: RunningSystem, b: RunningSystem, scenario: Scenario, timing: Timing, seconds: number,
  connections: number): Promise<[WrkResult, WrkResult]> {
  const load = { connections, bodyBytes: scenario.bodyBytes, cpus: timing.loadCpus, seconds };
  return Promise.all([runWrk({ ...load, url: a.url }), runWrk({ ...load, url: b.url })]);
}

function cpuPerRequestUs(ticks: number, requests: number): number {
  return requests > 0 ? ((ticks / CLOCK_TICKS_PER_SECOND) * 1e6) / requests : 0;
}

export async function measurePaired(scenario: Scenario, ctx: RowContext, rounds: number): Promise<PairedResult> {
  const connectionsEach = Math.max(1, Math.floor((ctx.connections ?? scenario.connections) / 2));
  const cpus = ctx.layout.sutCpusFor(1);
  const started: RunningSystem[] = [];
  try {
    for (const system of ['undici', 'luagate'] as const) {
      const running = await startSystem(system, scenario, ctx.backends, { cpus, workers: 1, startTimeoutMs: START_TIMEOUT_MS });
      started.push(running);
      ctx.live.add(running);
      const problem = await checkOnce(running.url, scenario);
      if (problem !== null) return { scenario: scenario.name, connectionsEach, rounds: [], median: null, note: `${system} check request: ${problem}` };
    }
    const [undici, luagate] = started;
    if (ctx.timing.warmupSeconds > 0) await loadBoth(undici, luagate, scenario, ctx.timing, ctx.timing.warmupSeconds, connectionsEach);
    const results: PairedRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const pids = [processTree(undici.started.pid), processTree(luagate.started.pid)];
      const before = pids.map((p) => treeUsage(p).cpuTicks);
      const [u, l] = await loadBoth(undici, luagate, scenario, ctx.timing, ctx.timing.measureSeconds, connectionsEach);
      const after = pids.map((p) => treeUsage(p).cpuTicks);
      results.push({
        undiciRps: u.requestsPerSecond,
        luagateRps: l.requestsPerSecond,
        ratio: l.requestsPerSecond / Math.max(1, u.requestsPerSecond),
        undiciCpuPerRequestUs: cpuPerRequestUs(after[0] - before[0], u.requests),
        luagateCpuPerRequestUs: cpuPerRequestUs(after[1] - before[1], l.requests),
      });
    }
    return { scenario: scenario.name, connectionsEach, rounds: results, median: median(results.map((r) => r.ratio)) };
  } catch (err) {
    const note = err instanceof SystemUnavailableError || err instanceof Error ? err.message : String(err);
    return { scenario: scenario.name, connectionsEach, rounds: [], median: null, note };
  } finally {
    for (const running of started) {
      await stopProcess(running.started);
      ctx.live.delete(running);
    }
  }
}

export function pairedText(results: readonly PairedResult[]): string {
  const lines = ['paired rounds (undici and luagate served at the same time on one core, half the connections each):'];
  for (const r of results) {
    if (r.median === null) { lines.push(`  ${r.scenario.padEnd(15)} not measured: ${r.note ?? ''}`); continue; }
    lines.push(`  ${r.scenario.padEnd(15)} median ${r.median.toFixed(2)}×  rounds ${r.rounds.map((x) => `${x.ratio.toFixed(2)}×`).join(', ')}`);
  }
  return lines.join('\n');
}

export function pairedMarkdown(results: readonly PairedResult[]): string {
  const lines = [
    '| scenario | ratio (median) | rounds (luagate ÷ undici req/s, served at the same time) | CPU µs/req undici / luagate (median round) |',
    '| --- | ---: | --- | --- |',
  ];
  for (const r of results) {
    if (r.median === null) { lines.push(`| ${r.scenario} | — | not measured: ${r.note ?? ''} | |`); continue; }
    const mid = [...r.rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(r.rounds.length / 2)];
    lines.push(`| ${r.scenario} | ${r.median.toFixed(2)}× | ${r.rounds.map((x) => `${x.ratio.toFixed(2)}`).join(', ')} | ` +
      `${mid.undiciCpuPerRequestUs.toFixed(1)} / ${mid.luagateCpuPerRequestUs.toFixed(1)} |`);
  }
  return lines.join('\n');
}
