// What compileDirect takes on and what it leaves to the VM, and how a direct run behaves on the
// plugin's JS values: reads, writes, writes refused (shared data, the context's structure), and a
// bail that undoes every write. End to end, against the VM: spec/06-request-callout/11-direct-snippets.
import { expect } from 'chai';
import { compileDirect } from '../../src/snippet/compile';
import { createScope } from '../../src/pdk';
import { LazyValue } from '../../src/lua/lazy';
import { makeExchange } from '../03-pdk/support';

const DIRECT = [
  'local params = kong.ctx.shared.callouts.c1.request.params\nparams.headers = params.headers or {}\nparams.headers["X-Req-User"] = kong.request.get_header("x-user")',
  'local body = kong.ctx.shared.callouts.c2.response.body\nbody.plan = string.upper(body.plan)',
  'kong.service.request.set_header("X-Chain", kong.ctx.shared.callouts.c3.response.body.token)',
  'local u = kong.request.get_header("x-user")\nif u == "a" then return elseif not u then kong.service.request.set_header("X", "n") else do local u = 1 end end',
  'local p = kong.ctx.shared.callouts.call.request.params\np.query = { lang = "en", ["who"] = tostring(nil) .. "x" }',
  'kong.ctx.shared.note = kong.ctx.shared.callouts.s.response.body.v .. "+note"',
];

const VM = {
  'a loop': 'for i = 1, 2 do end',
  'a global written': 'x = 1',
  'a global read': 'local t = ngx.ctx',
  'a library as a value': 'local s = string',
  'a method call': 'local s = kong.request.get_header("a"):upper()',
  'arithmetic': 'local n = 1 + 2',
  'a comparison': 'local b = 1 < 2',
  'a string with an escape': 'local s = "a\\n"',
  'a long string': 'local s = [[a]]',
  'a positional table field': 'local t = { 1 }',
  'a function': 'local function f() end',
  'a PDK call not covered': 'kong.response.exit(200)',
  'two assignments at once': 'local a, b\na, b = 1, 2',
  'kong.ctx.plugin': 'local p = kong.ctx.plugin',
  'a syntax error': 'local = 1',
  'an integer-like string key in a constructor (JS would list it first)': 'local t = { ["1"] = "a" }',
};

function scopeWith(fields: Record<string, unknown>, headers: Array<[string, string]> = []) {
  const scope = createScope(makeExchange({ headers: [['Host', 'example.test'], ...headers] }));
  scope.sharedSource = Object.assign(Object.create(null) as Record<string, unknown>, fields);
  return scope;
}

/** An entry shaped as the plugin makes it (lua-context.ts): its levels are class instances. */
class Level {
  constructor(readonly fields: Record<string, unknown>) { Object.assign(this, fields); }
}

function entry(params: Record<string, unknown>, body?: unknown) {
  return new LazyValue(new Level({ request: new Level({ params: new LazyValue(params) }),
    response: body === undefined ? undefined : Object.freeze({ status: 200, body: new LazyValue(body) }) }));
}

describe('01-lua direct snippets: what runs as JS, and how a run reads, writes and bails', () => {
  it('compiles the snippets of the direct end-to-end spec', () => {
    for (const source of DIRECT) expect(compileDirect(source), source).to.not.equal(null);
  });

  for (const [what, source] of Object.entries(VM)) {
    it(`leaves ${what} to the VM`, () => {
      expect(compileDirect(source)).to.equal(null);
    });
  }

  it('reads the JS values, writes into per-request data, and sets the upstream header', () => {
    const params: Record<string, unknown> = { url: 'http://a/' };
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c1: entry(params) }) }, [['X-User', 'alice']]);
    const ok = compileDirect(DIRECT[0])!.run(scope);
    expect(ok).to.equal(true);
    expect(params.headers).to.deep.equal({ 'X-Req-User': 'alice' });
    expect(scope.directEdits).to.equal(true);
    expect(compileDirect('kong.service.request.set_header("X-A", kong.ctx.shared.callouts.c1.request.params.url)')!.run(scope)).to.equal(true);
    expect(scope.exchange.upstream.headers.get('x-a')).to.equal('http://a/');
  });

  it('bails on a write into frozen (shared) data, into the context structure, and on a nil index, undoing earlier writes', () => {
    const frozenBody = Object.freeze({ plan: 'gold' });
    const params: Record<string, unknown> = { url: 'http://a/' };
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c1: entry(params), c2: entry({}, frozenBody) }) });
    const undone = compileDirect([
      'local p = kong.ctx.shared.callouts.c1.request.params',
      'p.url = "changed"',
      'kong.service.request.set_header("X-Set", "yes")',
      'local b = kong.ctx.shared.callouts.c2.response.body',
      'b.plan = "x"'].join('\n'))!;
    expect(undone.run(scope)).to.equal(false);
    expect(params.url).to.equal('http://a/');
    expect(scope.exchange.upstream.headers.has('x-set')).to.equal(false);
    expect(scope.directEdits).to.equal(false);
    expect(compileDirect('kong.ctx.shared.callouts.c1 = {}')!.run(scope)).to.equal(false);
    expect(compileDirect('kong.ctx.shared.callouts.c1.request = {}')!.run(scope)).to.equal(false);
    expect(compileDirect('kong.ctx.shared.x = 1')!.run(scope)).to.equal(false);
    expect(compileDirect('local v = kong.ctx.shared.callouts.nope.request')!.run(scope)).to.equal(false);
    expect(compileDirect('local v = kong.ctx.shared.callouts.c1.request.params.url.len')!.run(scope)).to.equal(false);
    // Tables it did not make itself (they would reach the plugin in their JS wrapping), integer-like keys.
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\np.x = { b = kong.ctx.shared.callouts.c2.response.body }')!.run(scope)).to.equal(false);
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\np.x = kong.ctx.shared.callouts.c2.response')!.run(scope)).to.equal(false);
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\np["2"] = "x"')!.run(scope)).to.equal(false);
    expect(params).to.deep.equal({ url: 'http://a/' });
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\nlocal t = { a = "1" }\np.x = t\nt.b = "2"')!.run(scope)).to.equal(true);
    expect(params).to.deep.equal({ url: 'http://a/', x: { a: '1', b: '2' } });
  });

  it('bails where the VM formats or compares differently: tables compared, inf, a lone surrogate, a number header value', () => {
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry({}, { t: {}, n: 1e309, s: '\ud800', k: 5 }) }) });
    const body = 'kong.ctx.shared.callouts.c.response.body';
    for (const source of [`local x = ${body}.t == ${body}.t`, `local x = "" .. ${body}.n`, `local x = ${body}.s .. ""`,
      `kong.service.request.set_header("X", ${body}.k)`]) {
      expect(compileDirect(source)!.run(scope), source).to.equal(false);
    }
    expect(compileDirect(`kong.service.request.set_header("X", "n" .. ${body}.k)`)!.run(scope)).to.equal(true);
    expect(scope.exchange.upstream.headers.get('x')).to.equal('n5');
  });
});
