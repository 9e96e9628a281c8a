/** Linux /proc readings: CPU ticks and RSS of a process tree, whole-box busy ticks. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export const CLOCK_TICKS_PER_SECOND = readClockTicks();
const PAGE_BYTES = 4096;

function readClockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** cutime + cstime: CPU of children already reaped, in clock ticks. */
  readonly reapedChildTicks: number;
  readonly rssBytes: number;
}

export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses; fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    ppid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    reapedChildTicks: Number(fields[13]) + Number(fields[14]),
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

/** The pid and every live descendant (a cluster master and its workers). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === null) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export interface TreeUsage {
  readonly cpuTicks: number;
  readonly rssBytes: number;
}

export function treeUsage(pids: readonly number[]): TreeUsage {
  let cpuTicks = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat === null) continue;
    cpuTicks += stat.cpuTicks;
    rssBytes += stat.rssBytes;
  }
  return { cpuTicks, rssBytes };
}

/**
 * Process-context busy ticks of the whole box (all CPUs): user + nice + system from /proc/stat.
 * irq/softirq are left out: loopback packet processing lands there without being charged to any
 * process, and would read as foreign load.
 */
export function boxBusyTicks(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  return values[0] + values[1] + values[2];
}

/** CPU of this harness process, including children it has reaped (wrk). */
export function selfTicks(): { own: number; reaped: number } {
  const stat = readStat(process.pid);
  return { own: stat?.cpuTicks ?? 0, reaped: stat?.reapedChildTicks ?? 0 };
}
