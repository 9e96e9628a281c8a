/**
 * `npm run bench [-- --full | --workers | --soak SECONDS ...]`: load tests of luagate against a
 * hand-written undici baseline (and direct upstream, and nginx+Lua when present) in the same run.
 * See docs/benchmarks.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Layout, describeMachine, planLayout } from './lib/layout';
import { BenchOptions, USAGE, UsageError, parseOptions } from './lib/options';
import { OUT_DIR, RATIOS_SVG, REPO_ROOT, distScript } from './lib/paths';
import { Started, freePort, startProcess, stopProcess, waitForPort } from './lib/processes';
import { Report, Row, attachRatios, soakText, textTable, writeJson } from './lib/report';
import { updateResultsMd } from './lib/results-md';
import { RowContext, runRow } from './lib/rows';
import { SCENARIOS, Scenario, scenarioByName } from './lib/scenarios';
import { soak } from './lib/soak';
import { detectNginxLua } from './lib/nginx';
import { ratiosSvg } from './lib/svg';
import { PairedResult, measurePaired, pairedText } from './lib/paired';
import { RunningSystem, SystemName, SystemUnavailableError, startSystem } from './lib/systems';
import { WrkUnavailableError, ensureWrk } from './lib/wrk';

const QUICK_BUDGET_SECONDS = 110;
const SCALING_SCENARIOS = ['passthrough', 'callout'];
/** Scenarios with a target ratio: the ones measured in paired rounds too. */
const PAIRED_SCENARIOS = ['passthrough', 'callout', 'callout-cached', 'chained'];

async function startBackends(layout: Layout): Promise<{ list: Started[]; upstreamPort: number; calloutPort: number }> {
  const upstreamPort = await freePort();
  const calloutPort = await freePort();
  const upstream = startProcess('backend-upstream', process.execPath, [distScript('backends/upstream.js'), '--port', String(upstreamPort)], layout.loadCpus);
  const callout = startProcess('backend-callout', process.execPath, [distScript('backends/callout.js'), '--port', String(calloutPort)], layout.loadCpus);
  await waitForPort(upstream, upstreamPort, 10_000);
  await waitForPort(callout, calloutPort, 10_000);
  return { list: [upstream, callout], upstreamPort, calloutPort };
}

function plannedRows(options: BenchOptions): Array<{ system: SystemName; scenario: Scenario }> {
  const rows: Array<{ system: SystemName; scenario: Scenario }> = [];
  for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.name))) {
    const systems: SystemName[] = [...(scenario.directRow ? ['direct' as const] : []), 'undici', 'luagate', 'nginx'];
    for (const system of systems) if (options.systems.includes(system)) rows.push({ system, scenario });
  }
  return rows;
}

function measureSeconds(options: BenchOptions, rowCount: number): number {
  if (options.measureSeconds !== null) return options.measureSeconds;
  const perRow = Math.floor(QUICK_BUDGET_SECONDS / Math.max(1, rowCount)) - options.warmupSeconds - 2;
  return Math.max(4, Math.min(8, perRow));
}

/** The undici and luagate rows of one scenario: `rounds` alternating pairs, the median-ratio pair kept. */
async function measurePair(scenario: Scenario, options: BenchOptions, ctx: RowContext, notes: string[]): Promise<Row[]> {
  const systems = (['undici', 'luagate'] as const).filter((s) => options.systems.includes(s));
  const rounds: Row[][] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    const rows: Row[] = [];
    for (const system of order) {
      process.stdout.write(`  ${scenario.name.padEnd(15)} ${system.padEnd(8)} ${options.rounds > 1 ? `r${round + 1} ` : ''}... `);
      const row = await runRow(system, scenario, 1, ctx);
      console.log(row.status === 'ok' ? `${Math.round(row.rps ?? 0)} req/s` : `${row.status}: ${row.note ?? ''}`);
      rows.push(row);
    }
    rounds.push(systems.map((s) => rows.find((r) => r.system === s) as Row));
  }
  if (rounds.length === 1 || systems.length < 2) return rounds[0];
  const ratioOf = (pair: Row[]): number => (pair[1].rps ?? 0) / Math.max(1, pair[0].rps ?? 0);
  const sorted = [...rounds].sort((a, b) => ratioOf(a) - ratioOf(b));
  const kept = sorted[Math.floor(sorted.length / 2)];
  notes.push(`${scenario.name}: luagate/undici ratio over ${rounds.length} alternating rounds: ` +
    `${rounds.map((pair) => `${ratioOf(pair).toFixed(2)}×`).join(', ')} (median round kept)`);
  return kept;
}

async function runMatrix(options: BenchOptions, ctx: RowContext): Promise<{ rows: Row[]; scaling: Row[]; notes: string[] }> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const unavailable = new Map<SystemName, string>();
  const paired = new Set<string>();
  for (const { system, scenario } of plannedRows(options)) {
    if (system === 'undici' || system === 'luagate') {
      if (!paired.has(scenario.name)) rows.push(...await measurePair(scenario, options, ctx, notes));
      paired.add(scenario.name);
      continue;
    }
    const known = unavailable.get(system);
    if (system === 'nginx' && known !== undefined) {
      rows.push({ scenario: scenario.name, system, workers: 1, cpus: null, connections: ctx.connections ?? scenario.connections, status: 'skipped', note: known });
      continue;
    }
    process.stdout.write(`  ${scenario.name.padEnd(15)} ${system.padEnd(8)} ... `);
    const row = await runRow(system, scenario, 1, ctx);
    if (row.status === 'skipped' && row.note !== undefined) unavailable.set(system, row.note);
    console.log(row.status === 'ok' ? `${Math.round(row.rps ?? 0)} req/s` : `${row.status}: ${row.note ?? ''}`);
    rows.push(row);
  }
  const scaling: Row[] = [];
  if (options.scaling) {
    for (const name of SCALING_SCENARIOS.filter((n) => options.scenarios.includes(n))) {
      for (const system of (['undici', 'luagate'] as const).filter((s) => options.systems.includes(s))) {
        for (const workers of [1, 2]) {
          const reuse = workers === 1 ? rows.find((r) => r.scenario === name && r.system === system) : undefined;
          process.stdout.write(`  ${name.padEnd(15)} ${system.padEnd(8)} w${workers} ... `);
          const row = reuse ?? await runRow(system, scenarioByName(name), workers, ctx);
          console.log(row.status === 'ok' ? `${Math.round(row.rps ?? 0)} req/s${reuse ? ' (from the main table)' : ''}` : `${row.status}: ${row.note ?? ''}`);
          scaling.push({ ...row });
        }
        const [one, two] = scaling.slice(-2);
        if (one.rps !== undefined && two.rps !== undefined) {
          // CPU per request and the CPU the system got tell a scaling limit of the system from one of the machine.
          const cpuGrowth = one.cpuPerRequestUs && two.cpuPerRequestUs ? `; CPU per request 2 w ÷ 1 w ${(two.cpuPerRequestUs / one.cpuPerRequestUs).toFixed(2)}` : '';
          const cpuShare = two.systemCpuPercent !== undefined ? `; with 2 workers it got ${Math.round(two.systemCpuPercent)} % CPU (1 worker: ${Math.round(one.systemCpuPercent ?? 0)} %)` : '';
          notes.push(`${system} ${name}: 2 workers = ${(two.rps / one.rps).toFixed(2)}× 1 worker${cpuGrowth}${cpuShare} (target for luagate ≥ 1.6× where the load generator leaves room)`);
        }
      }
    }
  }
  attachRatios(rows);
  attachRatios(scaling);
  return { rows, scaling, notes };
}

async function runPaired(options: BenchOptions, ctx: RowContext): Promise<PairedResult[]> {
  if (options.pairedRounds === 0 || !options.systems.includes('undici') || !options.systems.includes('luagate')) return [];
  const full = options.mode === 'full';
  const timing = { ...ctx.timing, warmupSeconds: full ? 5 : 2, measureSeconds: full ? 8 : 3 };
  const results: PairedResult[] = [];
  for (const name of PAIRED_SCENARIOS.filter((n) => options.scenarios.includes(n))) {
    process.stdout.write(`  ${name.padEnd(15)} paired   ×${options.pairedRounds} ... `);
    const result = await measurePaired(scenarioByName(name), { ...ctx, timing }, options.pairedRounds);
    console.log(result.median === null ? `not measured: ${result.note ?? ''}`
      : `${result.rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', ')}`);
    results.push(result);
  }
  return results;
}

async function runSoak(options: BenchOptions, ctx: RowContext): Promise<Report['soak']> {
  const scenario = scenarioByName(options.soakScenario);
  // --trace-gc: the soak reads the heap left after each full collection from the system's log.
  const launch = { cpus: ctx.layout.sutCpus, workers: 1, startTimeoutMs: 15_000, nodeFlags: ['--trace-gc'] };
  let note: string | undefined;
  let running: RunningSystem;
  try {
    running = await startSystem('luagate', scenario, ctx.backends, launch);
  } catch (err) {
    if (!(err instanceof SystemUnavailableError)) throw err;
    note = `luagate could not start (${err.message}); soaked the undici baseline instead to exercise the harness`;
    console.log(note);
    running = await startSystem('undici', scenario, ctx.backends, launch);
  }
  ctx.live.add(running);
  try {
    console.log(`soak: ${running.system} on ${scenario.name} for ${options.soakSeconds} s ...`);
    const report = await soak({
      system: running, scenario, seconds: options.soakSeconds, warmupSeconds: options.warmupSeconds,
      connections: ctx.connections ?? scenario.connections, loadCpus: ctx.layout.loadCpus,
    });
    return note === undefined ? report : { ...report, note };
  } finally {
    await stopProcess(running.started);
    ctx.live.delete(running);
  }
}

function commandLine(argv: readonly string[]): string {
  return argv.length === 0 ? 'npm run bench' : `npm run bench -- ${argv.join(' ')}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message !== '') console.error(err.message);
    console.log(USAGE);
    return err.message === '' ? 0 : 2;
  }
  try {
    ensureWrk();
  } catch (err) {
    if (err instanceof WrkUnavailableError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const layout = planLayout();
  const machine = describeMachine();
  // Rows of a system that is not on the machine cost nothing, so they do not count against the budget.
  const nginxMissing = typeof detectNginxLua() === 'string';
  const rowCount = plannedRows(options).filter((r) => !(nginxMissing && r.system === 'nginx')).length;
  const timing = { warmupSeconds: options.warmupSeconds, measureSeconds: measureSeconds(options, rowCount), loadCpus: layout.loadCpus,
    quietWaitSeconds: options.mode === 'full' ? 30 : 3 };
  console.log(`luagate bench (${options.mode}) on ${machine.cpus} vCPU ${machine.cpuModel}; ${layout.description}`);
  if (options.mode !== 'soak') {
    const pairedSeconds = options.pairedRounds === 0 ? 0
      : PAIRED_SCENARIOS.filter((n) => options.scenarios.includes(n)).length * ((options.mode === 'full' ? 5 + 8 * options.pairedRounds : 2 + 3 * options.pairedRounds) + 3);
    console.log(`${rowCount} rows × (${timing.warmupSeconds} s warm-up + ${timing.measureSeconds} s) + paired rounds ≈ ${Math.round(rowCount * (timing.warmupSeconds + timing.measureSeconds + 2) + pairedSeconds)} s${options.scaling ? ' + scaling rows' : ''}`);
  }
  const backends = await startBackends(layout);
  const live = new Set<RunningSystem>();
  const interrupt = (): void => {
    void Promise.all([...[...live].map((r) => stopProcess(r.started)), ...backends.list.map(stopProcess)]).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const ctx: RowContext = {
    backends, backendPids: backends.list.map((b) => b.pid), layout, timing, connections: options.connections, live,
    retryDisturbedAbovePercent: options.mode === 'full' ? 25 : null,
  };
  try {
    const date = new Date().toISOString();
    const report: Report = options.mode === 'soak'
      ? { date, mode: 'soak', command: commandLine(argv), machine, layout: layout.description,
        timing: { warmupSeconds: options.warmupSeconds, measureSeconds: options.soakSeconds }, rows: [], scaling: [],
        soak: await runSoak(options, ctx), notes: [] }
      : { date, mode: options.mode, command: commandLine(argv), machine, layout: layout.description,
        timing: { warmupSeconds: timing.warmupSeconds, measureSeconds: timing.measureSeconds }, ...(await runMatrix(options, ctx)),
        paired: await runPaired(options, ctx) };
    console.log('');
    if (report.rows.length > 0) console.log(textTable(report.rows));
    if (report.scaling.length > 0) console.log(`\nworkers scaling:\n${textTable(report.scaling)}`);
    if (report.paired !== undefined && report.paired.length > 0) console.log(`\n${pairedText(report.paired)}`);
    if (report.soak !== undefined) console.log(soakText(report.soak));
    for (const note of report.notes) console.log(note);
    const json = writeJson(report);
    console.log(`\nJSON: ${path.relative(REPO_ROOT, json)}`);
    if (options.write) {
      updateResultsMd(report);
      // The committed chart stands next to the "Latest full run" table: only a full run replaces it.
      const chart = report.mode === 'full' ? RATIOS_SVG : path.join(OUT_DIR, `ratios-${report.mode}.svg`);
      if (report.rows.length > 0) fs.writeFileSync(chart, ratiosSvg(report));
      console.log('updated bench/RESULTS.md' + (report.rows.length > 0 ? ` and ${path.relative(REPO_ROOT, chart)}` : ''));
    }
    return report.rows.some((r) => r.status === 'failed' && r.system !== 'luagate') ? 1 : 0;
  } finally {
    await Promise.all(backends.list.map(stopProcess));
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exitCode = 1;
  },
);
