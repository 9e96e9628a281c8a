/** Rewrites the generated section of bench/RESULTS.md for one mode, leaving hand-written text alone. */
import * as fs from 'node:fs';
import { RESULTS_MD } from './paths';
import { pairedMarkdown } from './paired';
import { DISTURBED_OTHER_PERCENT, Report, isDisturbed, markdownTable, soakText } from './report';

function section(report: Report): string {
  const m = report.machine;
  const lines = [
    `Date: ${report.date} · mode: ${report.mode} · command: \`${report.command}\``,
    '',
    `Machine: ${m.cpus} vCPU ${m.cpuModel}, ${m.memoryGb} GB, Linux ${m.kernel}, Node ${m.node}, wrk ${m.wrk}.`,
    `Layout: ${report.layout}. Timing: ${report.timing.warmupSeconds} s warm-up + ${report.timing.measureSeconds} s measured per row.`,
    '',
  ];
  if (report.rows.length > 0) lines.push(markdownTable(report.rows), '');
  if (report.paired !== undefined && report.paired.length > 0) {
    lines.push('Paired rounds (undici and luagate served at the same time on one core, half the connections each; '
      + 'the ratio compared over time):', '', pairedMarkdown(report.paired), '');
  }
  if (report.scaling.length > 0) lines.push('Workers scaling (SUT on cores 0..w-1):', '', markdownTable(report.scaling), '');
  if ([...report.rows, ...report.scaling].some(isDisturbed)) {
    lines.push(`\\* disturbed: other processes used more than ${DISTURBED_OTHER_PERCENT} % of a core during the row (the box is shared); read it as a lower bound.`, '');
  }
  if (report.soak !== undefined) lines.push('```', soakText(report.soak), '```', '');
  const notRun = [...report.rows, ...report.scaling].filter((r) => r.status !== 'ok');
  if (notRun.length > 0) {
    lines.push('Not measured in this run:', '');
    for (const r of notRun) lines.push(`- ${r.scenario} / ${r.system} (w${r.workers}): ${r.note ?? r.status}`);
    lines.push('');
  }
  for (const note of report.notes) lines.push(`- ${note}`);
  return lines.join('\n').trimEnd();
}

export function updateResultsMd(report: Report): void {
  const start = `<!-- bench:${report.mode}:start -->`;
  const end = `<!-- bench:${report.mode}:end -->`;
  const body = `${start}\n${section(report)}\n${end}`;
  const current = fs.existsSync(RESULTS_MD) ? fs.readFileSync(RESULTS_MD, 'utf8') : '# Benchmark results\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from
    ? current.slice(0, from) + body + current.slice(to + end.length)
    : `${current.trimEnd()}\n\n## Latest ${report.mode} run\n\n${body}\n`;
  fs.writeFileSync(RESULTS_MD, next);
}
