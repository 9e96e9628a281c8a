/** Which CPUs the system under test and the load side (wrk + backends) get, and a description of the machine. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { canPin } from './processes';
import type { Machine } from './report';
import { wrkVersion } from './wrk';

export interface Layout {
  /** CPUs of a 1-worker system under test, or null when not pinned. */
  readonly sutCpus: string | null;
  readonly loadCpus: string | null;
  readonly description: string;
  /** CPUs for a system with `workers` processes (scaling rows). */
  sutCpusFor(workers: number): string | null;
}

export function planLayout(): Layout {
  const cpus = os.availableParallelism();
  if (!canPin() || cpus < 2) {
    const why = canPin() ? 'only 1 CPU' : 'taskset not available';
    return {
      sutCpus: null,
      loadCpus: null,
      description: `not pinned (${why}): SUT, wrk and backends share the CPUs`,
      sutCpusFor: () => null,
    };
  }
  const load = cpus === 2 ? '1' : `1-${cpus - 1}`;
  return {
    sutCpus: '0',
    loadCpus: load,
    description: `SUT pinned to CPU 0, wrk (1 thread) + upstream + callout target pinned to CPU ${load}, 127.0.0.1 only`,
    sutCpusFor: (workers) => (workers <= 1 ? '0' : `0-${Math.min(workers, cpus) - 1}`),
  };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match !== null) return match[1].trim();
  } catch {
    // fall through to os.cpus()
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cpus: os.availableParallelism(),
    kernel: os.release(),
    node: process.version,
    wrk: wrkVersion(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}
