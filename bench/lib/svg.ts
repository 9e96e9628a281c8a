/**
 * Hand-written SVG of the ratios to the undici baseline: one group of horizontal bars per
 * scenario (direct, luagate, nginx), a line at 1.0 and each scenario's target marked.
 * Systems without a measurement show "pending"/"not run" in place of a bar.
 */
import type { Report, Row } from './report';
import type { SystemName } from './systems';

const TARGETS: Readonly<Record<string, number>> = { passthrough: 0.9, callout: 1.0, 'callout-cached': 1.0, chained: 0.9 };
const BAR_SYSTEMS: readonly SystemName[] = ['luagate', 'nginx', 'direct'];
const COLORS: Readonly<Record<SystemName, string>> = { luagate: '#2f6fb3', nginx: '#3a9a5b', direct: '#9a9a9a', undici: '#000' };

const PAIRED_COLOR = '#1b3f66';
const LEFT = 250;
const PLOT_WIDTH = 520;
const BAR = 16;
const GAP = 4;
const GROUP_GAP = 18;
const TOP = 70;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function scaleMax(rows: readonly Row[]): number {
  const largest = Math.max(1.2, ...rows.map((r) => r.ratio ?? 0));
  return Math.ceil(largest * 2) / 2;
}

export function ratiosSvg(report: Report): string {
  const rows = report.rows.filter((r) => r.workers === 1);
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const max = scaleMax(rows);
  const x = (ratio: number): number => LEFT + (Math.min(ratio, max) / max) * PLOT_WIDTH;
  const parts: string[] = [];
  let y = TOP;
  for (const scenario of scenarios) {
    const groupTop = y;
    parts.push(`<text x="10" y="${y + BAR - 3}" class="scenario">${escapeXml(scenario)}</text>`);
    for (const system of BAR_SYSTEMS) {
      const row = rows.find((r) => r.scenario === scenario && r.system === system);
      if (row === undefined && system !== 'luagate') continue;
      parts.push(`<text x="${LEFT - 8}" y="${y + BAR - 4}" text-anchor="end" class="label">${system}</text>`);
      if (row?.ratio !== undefined) {
        parts.push(`<rect x="${LEFT}" y="${y}" width="${(x(row.ratio) - LEFT).toFixed(1)}" height="${BAR}" fill="${COLORS[system]}"/>`);
        parts.push(`<text x="${(x(row.ratio) + 5).toFixed(1)}" y="${y + BAR - 4}" class="value">${row.ratio.toFixed(2)}×</text>`);
      } else {
        const why = row === undefined || row.status === 'skipped' ? (system === 'luagate' ? 'pending (not runnable yet)' : 'not run') : 'failed';
        parts.push(`<text x="${LEFT + 5}" y="${y + BAR - 4}" class="missing">${why}</text>`);
      }
      y += BAR + GAP;
      const paired = system === 'luagate' ? report.paired?.find((r) => r.scenario === scenario && r.median !== null) : undefined;
      if (paired?.median != null) {
        parts.push(`<text x="${LEFT - 8}" y="${y + BAR - 4}" text-anchor="end" class="label">luagate, paired</text>`);
        parts.push(`<rect x="${LEFT}" y="${y}" width="${(x(paired.median) - LEFT).toFixed(1)}" height="${BAR}" fill="${PAIRED_COLOR}"/>`);
        parts.push(`<text x="${(x(paired.median) + 5).toFixed(1)}" y="${y + BAR - 4}" class="value">${paired.median.toFixed(2)}× (${paired.rounds.length} rounds)</text>`);
        y += BAR + GAP;
      }
    }
    const target = TARGETS[scenario];
    if (target !== undefined) {
      parts.push(`<line x1="${x(target).toFixed(1)}" y1="${groupTop - 2}" x2="${x(target).toFixed(1)}" y2="${y - GAP + 2}" class="target"/>`);
    }
    y += GROUP_GAP;
  }
  const height = y + 40;
  const ticks: string[] = [];
  for (let t = 0; t <= max + 1e-9; t += 0.5) {
    ticks.push(`<line x1="${x(t)}" y1="${TOP - 8}" x2="${x(t)}" y2="${y - GROUP_GAP + 4}" class="grid"/>`);
    ticks.push(`<text x="${x(t)}" y="${y - GROUP_GAP + 18}" text-anchor="middle" class="tick">${t.toFixed(1)}×</text>`);
  }
  const width = LEFT + PLOT_WIDTH + 70;
  const title = `luagate vs the undici baseline (requests/s ratio, same run; 1.0 = baseline)`;
  const subtitle = `${report.mode} run ${report.date.slice(0, 16).replace('T', ' ')} UTC · ${report.machine.cpus} vCPU ${report.machine.cpuModel} · ${report.layout}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<style>
  .title { font-size: 15px; font-weight: bold; } .sub { font-size: 11px; fill: #555; }
  .scenario { font-size: 13px; font-weight: bold; } .label { font-size: 12px; } .value { font-size: 12px; }
  .missing { font-size: 12px; fill: #a33; font-style: italic; } .tick { font-size: 11px; fill: #555; }
  .grid { stroke: #ddd; stroke-width: 1; } .base { stroke: #000; stroke-width: 1.5; }
  .target { stroke: #d9822b; stroke-width: 2; stroke-dasharray: 4 3; } .legend { font-size: 11px; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" class="title">${escapeXml(title)}</text>
<text x="10" y="40" class="sub">${escapeXml(subtitle)}</text>
<text x="10" y="56" class="legend">dashed orange: target · black line: baseline (1.0×) · luagate: rows one after the other · luagate, paired: served at the same time as the baseline (steadier)</text>
${ticks.join('\n')}
<line x1="${x(1)}" y1="${TOP - 8}" x2="${x(1)}" y2="${y - GROUP_GAP + 4}" class="base"/>
${parts.join('\n')}
</svg>
`;
}
