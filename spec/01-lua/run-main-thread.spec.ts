// `luagate run`: the file's top level is LuaJIT's main thread, although the engine runs it on a
// coroutine of its own. The lines both LuaJIT builds agree on are in the differential suite
// (12-coroutines.lua); these are the ones where luagate follows Kong's build (Lua 5.2 compat:
// coroutine.running() returns the thread and whether it is the main one) and the uncaught case.
import { expect } from 'chai';
import { runCli, tempFiles } from '../helpers/cli';

async function luagateRun(source: string): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
  const files = tempFiles({ 'main.lua': source });
  try {
    const cli = runCli(['run', files.file('main.lua')]);
    const code = await cli.exited;
    return { code, stdout: cli.stdout, stderr: cli.stderr };
  } finally {
    files.remove();
  }
}

describe('luagate run: the top level is the main thread', () => {
  it('coroutine.running() names the main thread at top level and a coroutine inside one', async () => {
    const r = await luagateRun([
      'local main, ismain = coroutine.running()',
      'print(type(main), ismain, select("#", coroutine.running()), coroutine.status(main))',
      'print(coroutine.resume(main))',
      'print(coroutine.wrap(function() local co, m = coroutine.running() return type(co), m, co == main end)())',
    ].join('\n'));
    expect(r.code).to.equal(0);
    expect(r.stdout).to.deep.equal([
      'thread\ttrue\t2\trunning',
      'false\tcannot resume non-suspended coroutine',
      'thread\tfalse\tfalse',
    ]);
  });

  it('cannot yield at top level, caught or not; coroutines still yield', async () => {
    const caught = await luagateRun([
      'print(coroutine.isyieldable(), pcall(coroutine.yield, 1))',
      'local gen = coroutine.wrap(function() coroutine.yield(coroutine.isyieldable()) end)',
      'print(gen())',
    ].join('\n'));
    expect(caught.code).to.equal(0);
    expect(caught.stdout).to.deep.equal(['false\tfalse\tattempt to yield across C-call boundary', 'true']);

    const uncaught = await luagateRun('print("before")\ncoroutine.yield()\nprint("after")');
    expect(uncaught.code).to.equal(1);
    expect(uncaught.stdout).to.deep.equal(['before']);
    expect(uncaught.stderr.join('\n')).to.contain('luajit: attempt to yield across C-call boundary');
  });
});
