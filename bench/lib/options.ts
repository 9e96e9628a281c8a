/** Command-line options of `npm run bench -- ...`. */
import { SCENARIOS } from './scenarios';
import type { SystemName } from './systems';

export class UsageError extends Error {}

export interface BenchOptions {
  readonly mode: 'quick' | 'full' | 'soak';
  readonly warmupSeconds: number;
  /** Seconds per measured row; null lets quick mode fit the whole run in its time budget. */
  readonly measureSeconds: number | null;
  readonly scaling: boolean;
  readonly soakSeconds: number;
  readonly soakScenario: string;
  readonly scenarios: readonly string[];
  readonly systems: readonly SystemName[];
  readonly connections: number | null;
  readonly write: boolean;
  /** undici/luagate rows measured this many times, alternating; the round with the median ratio is kept. */
  readonly rounds: number;
  /** Paired rounds per target scenario (undici and luagate loaded at the same time); 0 skips them. */
  readonly pairedRounds: number;
}

export const USAGE = `usage: npm run bench -- [options]
  (none)              quick run: every scenario, 3 s warm-up + up to 8 s per row, under 3 minutes
  --full              full run: 5 s warm-up + 20 s per row, plus --workers scaling
  --workers           add the 1 vs 2 workers scaling rows (passthrough, callout)
  --soak SECONDS      soak mode: one system under load for SECONDS, RSS sampled over time
  --soak-scenario S   scenario used by --soak (default chained)
  --scenarios a,b     subset of: ${SCENARIOS.map((s) => s.name).join(', ')}
  --systems a,b       subset of: direct, undici, luagate, nginx
  --rounds N          measure undici and luagate N times each, alternating, and keep the round
                      with the median ratio (default 1; 3 with --full): this VM's speed drifts
  --paired N          N paired rounds per target scenario: undici and luagate served at the same
                      time on one core, the ratio that repeats (default 3; 5 with --full; 0 = none)
  --warmup S / --duration S / --connections N   override the defaults
  --no-write          do not touch bench/RESULTS.md and bench/ratios.svg (JSON is still written)`;

const ALL_SYSTEMS: readonly SystemName[] = ['direct', 'undici', 'luagate', 'nginx'];

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number`);
  return n;
}

function list(flag: string, value: string | undefined, known: readonly string[]): string[] {
  if (value === undefined) throw new UsageError(`${flag} needs a comma-separated list`);
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) if (!known.includes(item)) throw new UsageError(`${flag}: unknown ${item}`);
  return items;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  let full = false;
  let scaling = false;
  let soakSeconds = 0;
  let soakScenario = 'chained';
  let warmup: number | null = null;
  let duration: number | null = null;
  let connections: number | null = null;
  let scenarios = SCENARIOS.map((s) => s.name);
  let systems = [...ALL_SYSTEMS];
  let write = true;
  let rounds: number | null = null;
  let pairedRounds: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (flag) {
      case '--full': full = true; scaling = true; break;
      case '--quick': break;
      case '--workers': scaling = true; break;
      case '--soak': soakSeconds = positive(flag, next()); break;
      case '--soak-scenario': soakScenario = list(flag, next(), SCENARIOS.map((s) => s.name))[0]; break;
      case '--scenarios': scenarios = list(flag, next(), SCENARIOS.map((s) => s.name)); break;
      case '--systems': systems = list(flag, next(), ALL_SYSTEMS) as SystemName[]; break;
      case '--warmup': warmup = positive(flag, next()); break;
      case '--duration': duration = positive(flag, next()); break;
      case '--connections': connections = Math.round(positive(flag, next())); break;
      case '--no-write': write = false; break;
      case '--rounds': rounds = Math.round(positive(flag, next())); break;
      case '--paired': {
        const value = next();
        pairedRounds = value === '0' ? 0 : Math.round(positive(flag, value));
        break;
      }
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown option ${flag}`);
    }
  }
  const mode = soakSeconds > 0 ? 'soak' : full ? 'full' : 'quick';
  return {
    mode,
    warmupSeconds: warmup ?? (mode === 'full' ? 5 : 3),
    measureSeconds: duration ?? (mode === 'full' ? 20 : null),
    scaling,
    soakSeconds,
    soakScenario,
    scenarios,
    systems,
    connections,
    write,
    rounds: rounds ?? (mode === 'full' ? 3 : 1),
    pairedRounds: pairedRounds ?? (mode === 'full' ? 5 : 3),
  };
}
