/** The result model of a run, ratios to the undici baseline, the stdout table and the JSON file. */
import type { LiveHeapTrend } from './gc-trace';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OUT_DIR } from './paths';
import type { PairedResult } from './paired';
import type { SystemName } from './systems';

export interface Row {
  readonly scenario: string;
  readonly system: SystemName;
  readonly workers: number;
  readonly cpus: string | null;
  readonly connections: number;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly note?: string;
  readonly rps?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly cpuPerRequestUs?: number;
  readonly systemCpuPercent?: number;
  readonly otherCpuPercent?: number;
  readonly rssMb?: number;
  readonly non2xx?: number;
  readonly socketErrors?: number;
  /** rps / undici rps of the same scenario and worker count. */
  ratio?: number;
  /** undici CPU per request / this row's CPU per request (above 1: less CPU per request than undici). */
  cpuRatio?: number;
}

export interface SoakSample {
  readonly seconds: number;
  readonly rssMb: number;
  readonly cpuPercent: number;
}

export interface SoakReport {
  readonly system: SystemName;
  readonly scenario: string;
  readonly seconds: number;
  readonly rps: number;
  readonly non2xx: number;
  readonly samples: readonly SoakSample[];
  readonly referenceRssMb: number;
  readonly maxDeviationPercent: number;
  /**
   * Median RSS of the last third of the samples against the reference, percent: a leak shows as a
   * trend here, a transient heap expansion (one or two high samples) does not. Shown, not judged.
   */
  readonly lastThirdTrendPercent?: number;
  /** The heap left after each full GC (V8's --trace-gc): what is live. A leak grows it. */
  readonly liveHeap?: LiveHeapTrend;
  readonly flat: boolean;
  readonly note?: string;
}

export interface Machine {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly kernel: string;
  readonly node: string;
  readonly wrk: string;
  readonly memoryGb: number;
}

export interface Report {
  readonly date: string;
  readonly mode: 'quick' | 'full' | 'soak';
  readonly command: string;
  readonly machine: Machine;
  readonly layout: string;
  readonly timing: { warmupSeconds: number; measureSeconds: number };
  readonly rows: Row[];
  readonly scaling: Row[];
  readonly soak?: SoakReport;
  /** Paired rounds (bench/lib/paired.ts); absent in soak runs. */
  readonly paired?: readonly PairedResult[];
  readonly notes: string[];
}

export function attachRatios(rows: Row[]): void {
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    const base = rows.find((r) => r.system === 'undici' && r.scenario === row.scenario && r.workers === row.workers && r.status === 'ok');
    if (base?.rps === undefined || row.rps === undefined) continue;
    row.ratio = row.rps / base.rps;
    if (base.cpuPerRequestUs !== undefined && row.cpuPerRequestUs !== undefined && row.cpuPerRequestUs > 0) {
      row.cpuRatio = base.cpuPerRequestUs / row.cpuPerRequestUs;
    }
  }
}

const num = (value: number | undefined, digits = 0): string =>
  value === undefined ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const HEADER = ['scenario', 'system', 'w', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'SUT CPU%', 'other%', 'RSS MB', 'errors', 'ratio', 'CPU ratio'];

/** Rows where other processes took more than this share of a core are marked as disturbed. */
export const DISTURBED_OTHER_PERCENT = 25;

export function isDisturbed(row: Row): boolean {
  return (row.otherCpuPercent ?? 0) > DISTURBED_OTHER_PERCENT;
}

export function rowCells(row: Row): string[] {
  const head = [row.scenario, row.system + (isDisturbed(row) ? ' *' : ''), String(row.workers), String(row.connections)];
  if (row.status !== 'ok') return [...head, row.status === 'skipped' ? 'skipped' : 'FAILED', '', '', '', '', '', '', '', '', ''];
  const errors = (row.non2xx ?? 0) + (row.socketErrors ?? 0);
  return [...head, num(row.rps), num(row.p50Ms, 2), num(row.p99Ms, 2), num(row.cpuPerRequestUs, 1), num(row.systemCpuPercent),
    num(row.otherCpuPercent), num(row.rssMb), String(errors), row.ratio === undefined ? '-' : `${row.ratio.toFixed(2)}×`,
    row.cpuRatio === undefined ? '-' : `${row.cpuRatio.toFixed(2)}×`];
}

export function textTable(rows: readonly Row[]): string {
  const cells = [HEADER, ...rows.map(rowCells)];
  const widths = HEADER.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const notes = rows.filter((r) => r.status !== 'ok').map((r) => `  ${r.scenario}/${r.system}: ${r.note ?? r.status}`);
  const legend = rows.some(isDisturbed) ? [`* disturbed: other processes used > ${DISTURBED_OTHER_PERCENT} % of a core during the row; read it as a lower bound`] : [];
  return [line(cells[0]), ...cells.slice(1).map(line), ...legend, ...(notes.length > 0 ? ['', 'not measured:', ...notes] : [])].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const cells = rows.map(rowCells);
  const align = HEADER.map((_, i) => (i < 2 ? '---' : '---:'));
  return [HEADER, align, ...cells].map((c) => `| ${c.join(' | ')} |`).join('\n');
}

export function soakText(soak: SoakReport): string {
  const lines = [`soak: ${soak.system} on ${soak.scenario}, ${soak.seconds} s, ${num(soak.rps)} req/s, ${soak.non2xx} non-2xx`];
  lines.push('   t s   RSS MB   CPU%');
  for (const s of soak.samples) lines.push(`${String(Math.round(s.seconds)).padStart(6)}  ${s.rssMb.toFixed(1).padStart(7)}  ${s.cpuPercent.toFixed(0).padStart(5)}`);
  lines.push(`reference RSS (median sample) ${soak.referenceRssMb.toFixed(1)} MB, max deviation ${soak.maxDeviationPercent.toFixed(1)} % -> ${soak.flat ? 'flat (within ±10 %)' : 'NOT flat'}`);
  if (soak.lastThirdTrendPercent !== undefined) {
    const t = soak.lastThirdTrendPercent;
    lines.push(`trend: median RSS of the last third ${t >= 0 ? '+' : ''}${t.toFixed(1)} % against the reference`);
  }
  if (soak.liveHeap !== undefined) {
    const h = soak.liveHeap;
    lines.push(`live heap after each full GC (${h.collections} collections): ${h.firstAfterMb.toFixed(1)} -> ${h.lastAfterMb.toFixed(1)} MB, ` +
      `last third ${h.trendPercent >= 0 ? '+' : ''}${h.trendPercent.toFixed(1)} % against the first (a leak grows this)`);
  }
  if (soak.note !== undefined) lines.push(soak.note);
  return lines.join('\n');
}

export function writeJson(report: Report): string {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  const file = path.join(OUT_DIR, `bench-${report.mode}-${stamp}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(OUT_DIR, `latest-${report.mode}.json`), text);
  return file;
}
