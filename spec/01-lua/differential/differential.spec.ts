// Differential suite: every Lua program in this folder runs under real LuaJIT (the `luajit`
// binary, Debian luajit2 + lua-cjson) and under `luagate run`; their outputs must be identical.
// Nothing is stored: LuaJIT is the oracle on every run. Each program prints one line per check.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../../..');
const PROGRAMS_DIR = path.join(REPO, 'spec/01-lua/differential');
const LUAGATE = path.join(REPO, 'bin/luagate.js');
const PROGRAMS = fs.readdirSync(PROGRAMS_DIR).filter((f) => f.endsWith('.lua')).sort();
const MIN_CHECKS = 200;

interface Run { code: number; stdout: string; stderr: string }

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: PROGRAMS_DIR, env: { ...process.env, TZ: 'UTC' }, timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
  });
}

/** Lines that differ, shown side by side so a failure explains itself. */
function differences(expected: string[], actual: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) out.push(`line ${i + 1}\n  luajit:  ${expected[i] ?? '<missing>'}\n  luagate: ${actual[i] ?? '<missing>'}`);
  }
  return out;
}

describe('LuaJIT differential suite (luajit vs luagate run)', () => {
  let totalChecks = 0;

  it('has the LuaJIT oracle installed', async () => {
    const r = await run('luajit', ['-v']);
    expect(r.stdout + r.stderr, 'the `luajit` binary (Debian luajit2) is required').to.match(/LuaJIT 2\.1/);
  });

  for (const program of PROGRAMS) {
    it(`prints the same as LuaJIT: ${program}`, async () => {
      const [oracle, ours] = await Promise.all([run('luajit', [program]), run('node', [LUAGATE, 'run', program])]);
      expect(oracle.code, `luajit failed on ${program}: ${oracle.stderr}`).to.equal(0);
      expect(ours.stderr, `luagate stderr on ${program}`).to.equal('');
      const expected = oracle.stdout.split('\n');
      const diff = differences(expected, ours.stdout.split('\n'));
      expect(diff, `${program}:\n${diff.join('\n')}`).to.deep.equal([]);
      totalChecks += expected.filter((l) => l.length > 0).length;
    });
  }

  it(`covers at least ${MIN_CHECKS} checks`, () => {
    expect(totalChecks).to.be.at.least(MIN_CHECKS);
  });
});
