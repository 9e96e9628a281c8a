/** Locations the harness reads and writes, resolved from the repository root. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const BENCH_SOURCE_DIR = path.join(REPO_ROOT, 'bench');
export const BENCH_DIST_DIR = path.join(REPO_ROOT, 'dist', 'bench');
export const OUT_DIR = path.join(BENCH_SOURCE_DIR, 'out');
export const CONFIG_DIR = path.join(BENCH_SOURCE_DIR, 'configs');
export const WRK_SCRIPT = path.join(BENCH_SOURCE_DIR, 'wrk', 'load.lua');
export const RESULTS_MD = path.join(BENCH_SOURCE_DIR, 'RESULTS.md');
export const RATIOS_SVG = path.join(BENCH_SOURCE_DIR, 'ratios.svg');
export const LUAGATE_BIN = path.join(REPO_ROOT, 'bin', 'luagate.js');

export function distScript(relative: string): string {
  return path.join(BENCH_DIST_DIR, relative);
}
