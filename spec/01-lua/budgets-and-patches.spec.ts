// CPU and memory budgets, and the fengari patches (patches/fengari+0.1.5.patch). Each patch has a
// test here that fails without it.
import { expect } from 'chai';
import { LuaHarness } from '../helpers/lua';
import { LuaRuntimeError, LuaTimeoutError } from '../../src/lua/errors';

async function failure(h: LuaHarness, source: string): Promise<Error> {
  try {
    await h.run(source, 'budget');
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('01-lua budgets', () => {
  const h = new LuaHarness({ mode: 'sandbox', timeBudgetMs: 100, maxStringBytes: 1024 * 1024, maxPatternSteps: 200_000 });

  it('stops `while true do end`', async () => {
    expect(await failure(h, 'while true do end')).to.be.instanceOf(LuaTimeoutError);
  });

  it('stops a loop that pcalls an endless function (a yield cannot be caught)', async () => {
    expect(await failure(h, 'for i = 1, 1e9 do pcall(function() while true do end end) end')).to.be.instanceOf(LuaTimeoutError);
  });

  it('stops an endless loop inside a snippet coroutine', async () => {
    expect(await failure(h, 'local co = coroutine.wrap(function() while true do end end); while true do co() end'))
      .to.be.instanceOf(LuaTimeoutError);
  });

  it('stops an endless loop inside a sort comparator wrapped in pcall', async () => {
    expect(await failure(h, 'while true do pcall(table.sort, {3, 2, 1}, function(a, b) while true do end end) end'))
      .to.be.instanceOf(LuaTimeoutError);
  });

  it('(patch: allowhook) stops a loop after a caught error inside a coroutine', async () => {
    expect(await failure(h, 'coroutine.wrap(function() pcall(error, "x") while true do end end)()')).to.be.instanceOf(LuaTimeoutError);
  });

  it('(patch: string growth cap) ends a doubling concat loop with a Lua error', async () => {
    const err = await failure(h, 'local s = "x" for i = 1, 40 do s = s .. s end');
    expect(err).to.be.instanceOf(LuaRuntimeError);
    expect(err.message).to.contain('string length overflow');
  });

  it('(patch: string growth cap) caps buffers: string.rep, table.concat, gsub', async () => {
    const roomy = new LuaHarness({ mode: 'sandbox', timeBudgetMs: 5000, maxStringBytes: 1024 * 1024 });
    for (const src of [
      'return string.rep("x", 1e8)',
      'local t = {} for i = 1, 30 do t[i] = string.rep("y", 100000) end return table.concat(t)',
      'return (string.rep("z", 1000000):gsub("z", "zz"))',
    ]) {
      const err = await failure(roomy, src);
      expect(err, src).to.be.instanceOf(LuaRuntimeError);
      expect(err.message, src).to.contain('string length overflow');
    }
  });

  it('(patch: pattern step budget) ends a pathological string.find with a Lua error', async () => {
    const err = await failure(h, 'return string.find(string.rep("a", 150), ".-.-.-.-b$")');
    expect(err.message).to.contain('pattern too complex');
  });

  it('ends unbounded table growth', async () => {
    expect(await failure(h, 'local t = {} for i = 1, 1e9 do t[i] = {i} end')).to.be.instanceOf(LuaTimeoutError);
  });

  it('keeps working after every kind of budget failure', async () => {
    await failure(h, 'while true do end');
    await failure(h, 'local s = "x" for i = 1, 40 do s = s .. s end');
    expect(await h.run('return 1 + 1')).to.deep.equal([2]);
  });

  it('lets pcall catch the string cap (it is an ordinary error)', async () => {
    expect(await h.run('local ok, e = pcall(string.rep, "x", 1e8); return ok, e')).to.deep.equal([false, 'string length overflow']);
  });
});

describe('01-lua fengari patches', () => {
  const h = new LuaHarness({ mode: 'on' });

  it('(patch: string hash) keeps keys with bytes below 0x10 distinct', async () => {
    expect(await h.run('local t = {}; t["\\1#"] = 1; t["\\18\\3"] = 2; t["a\\n1"] = 3; t["a\\163\\1"] = 4; return t["\\1#"], t["\\18\\3"], t["a\\n1"], t["a\\163\\1"]'))
      .to.deep.equal([1, 2, 3, 4]);
  });

  it("(patch: os.date '!') formats in UTC and does not print the '!'", async () => {
    expect(await h.run('return os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%H", 3600 * 5)')).to.deep.equal(['1970-01-01 00:00:00', '05']);
  });

  it('(patch: LuaJIT error wording) names the variable before the type', async () => {
    const err = await failure(h, 'local x; return x.y');
    expect(err.message).to.equal(`[string "budget"]:1: attempt to index local 'x' (a nil value)`);
  });

  it('(patch: arithmetic as doubles) integer results beyond 32 bits do not wrap', async () => {
    expect(await h.run('local a, b = tonumber("100000"), tonumber("100000"); return a * b, math.floor(2^31) + 1, -(-2147483647 - 1)'))
      .to.deep.equal([1e10, 2147483649, 2147483648]);
  });

  it("(patch: argument errors) name a function called through a variable '?' as LuaJIT", async () => {
    expect(await h.run('return select(2, pcall(string.rep))')).to.deep.equal(["bad argument #1 to '?' (string expected, got no value)"]);
  });
});
