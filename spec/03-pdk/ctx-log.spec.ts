// kong.ctx (per-request tables) and kong.log (levels, line format, inspect) — §6.4, §6.5.
import { expect } from 'chai';
import { createScope, releaseScope } from '../../src/pdk';
import { makeEngine, makeExchange, chunkRunner, errorOf } from './support';

describe('kong.ctx', () => {
  const engine = makeEngine();
  const run = chunkRunner(engine);

  it('kong.ctx.shared lives for one request and is shared by every snippet of it', async () => {
    const scope = createScope(makeExchange());
    await run('kong.ctx.shared.n = 1', undefined, scope);
    expect(await run('kong.ctx.shared.n = kong.ctx.shared.n + 1 return kong.ctx.shared.n', undefined, scope)).to.deep.equal([2]);
    releaseScope(engine, scope);
    expect(scope.sharedTable).to.equal(null);
    expect(scope.tables).to.equal(null);
    expect(await run('return kong.ctx.shared.n')).to.deep.equal([null]);
  });

  it('is created lazily, on first access', async () => {
    const scope = createScope(makeExchange());
    await run('local x = 1', undefined, scope);
    expect(scope.sharedTable).to.equal(null);
    expect(scope.tables).to.equal(null);
    await run('local s = kong.ctx.shared', undefined, scope);
    expect(scope.sharedTable).to.not.equal(null);
    expect(scope.tables).to.equal(null);
    releaseScope(engine, scope);
  });

  it('kong.ctx.plugin is private to the plugin instance', async () => {
    const scope = createScope(makeExchange());
    scope.plugin = { name: 'request-callout', id: 'p1' };
    await run('kong.ctx.plugin.v = "one" kong.ctx.shared.v = "s"', undefined, scope);
    scope.plugin = { name: 'request-callout', id: 'p2' };
    expect(await run('return kong.ctx.plugin.v, kong.ctx.shared.v', undefined, scope)).to.deep.equal([null, 's']);
    scope.plugin = { name: 'request-callout', id: 'p1' };
    expect(await run('return kong.ctx.plugin.v', undefined, scope)).to.deep.equal(['one']);
    releaseScope(engine, scope);
  });

  it('answers other keys with nil, and raises outside a request', async () => {
    const scope = createScope(makeExchange());
    expect(await run('return kong.ctx.other, kong.ctx[1], type(kong.ctx.shared)', undefined, scope)).to.deep.equal([null, null, 'table']);
    releaseScope(engine, scope);
    const chunk = engine.compileChunk('return kong.ctx.shared', 'outside');
    const env = engine.createChunkEnv();
    expect(() => engine.call(chunk, env, null, () => null)).to.throw(/can only be called while a request is being processed/);
    engine.unref(env.ref);
  });

  it('is the same table from a coroutine and a pcall of the snippet', async () => {
    const scope = createScope(makeExchange());
    expect(await run(`kong.ctx.shared.v = 7
      local co = coroutine.wrap(function() coroutine.yield(kong.ctx.shared.v) return kong.ctx.shared end)
      local first = co()
      local ok, shared = pcall(function() return kong.ctx.shared end)
      return first, co() == kong.ctx.shared, ok, shared.v`, undefined, scope)).to.deep.equal([7, true, true, 7]);
    releaseScope(engine, scope);
  });

  it('cannot be replaced or extended', async () => {
    expect(await errorOf(run, 'kong.ctx.foo = 1')).to.equal('[string "request-callout"]:1: Cannot modify kong.ctx.foo. Protected by the sandbox.');
    expect(await errorOf(run, 'kong.ctx = {}')).to.match(/Cannot modify kong\.ctx\. Protected by the sandbox\./);
  });
});

describe('kong.log', () => {
  const engine = makeEngine();
  const run = chunkRunner(engine);

  it('kong.log(...) logs at notice; arguments tostring-ed and joined without separator', async () => {
    const ex = makeExchange();
    await run('local x\nkong.log("a", 1, nil, true, 0.5)', ex);
    expect(ex.lines).to.deep.equal([{ level: 'notice', message: '[kong] [string "request-callout"]:2 a1niltrue0.5' }]);
  });

  it('has one function per level and names the plugin', async () => {
    const ex = makeExchange();
    const scope = createScope(ex);
    scope.plugin = { name: 'request-callout', id: 'p' };
    await run('kong.log.debug("d") kong.log.info("i") kong.log.notice("n") kong.log.warn("w")\nkong.log.err("e") kong.log.crit("c") kong.log.alert("a") kong.log.emerg("x")', ex, scope);
    expect(ex.lines.map((l) => l.level)).to.deep.equal(['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']);
    expect(ex.lines[4].message).to.equal('[kong] [string "request-callout"]:2 [request-callout] e');
    releaseScope(engine, scope);
  });

  it('kong.log.inspect pretty-prints its arguments separated by spaces', async () => {
    const ex = makeExchange();
    await run('kong.log.inspect("s", 1, { 1, 2, k = "v" })', ex);
    expect(ex.lines[0].level).to.equal('notice');
    expect(ex.lines[0].message).to.equal('[kong] [string "request-callout"]:1 "s" 1 { 1, 2, \n  k = "v" }');
  });

  it('is read-only', async () => {
    expect(await errorOf(run, 'kong.log.foo = 1')).to.match(/Cannot modify kong\.log\.foo\. Protected by the sandbox\./);
  });
});
