// What compileDirect takes on and what it leaves to the VM, and how a direct run behaves on the
// plugin's JS values: reads, writes, writes refused (shared data, the context's structure), and a
// bail that undoes every write. End to end, against the VM: spec/06-request-callout/11-direct-snippets.
import { expect } from 'chai';
import { compileDirect } from '../../src/snippet/compile';
import { createScope } from '../../src/pdk';
import { LazyValue } from '../../src/lua/lazy';
import { LUA_NULL } from '../../src/lua/marshal';
import { makeExchange } from '../03-pdk/support';

const DIRECT = [
  'local params = kong.ctx.shared.callouts.c1.request.params\nparams.headers = params.headers or {}\nparams.headers["X-Req-User"] = kong.request.get_header("x-user")',
  'local body = kong.ctx.shared.callouts.c2.response.body\nbody.plan = string.upper(body.plan)',
  'kong.service.request.set_header("X-Chain", kong.ctx.shared.callouts.c3.response.body.token)',
  'local u = kong.request.get_header("x-user")\nif u == "a" then return elseif not u then kong.service.request.set_header("X", "n") else do local u = 1 end end',
  'local p = kong.ctx.shared.callouts.call.request.params\np.query = { lang = "en", ["who"] = tostring(nil) .. "x" }',
  'kong.ctx.shared.note = kong.ctx.shared.callouts.s.response.body.v .. "+note"',
];

/** What the VM runs, with the reason the config-load report gives. */
const VM: Record<string, [string, string]> = {
  'a while loop': ['while true do end', 'while'],
  'a generic for other than ipairs': ['for k, v in pairs(kong.ctx.shared) do end', 'generic for other than ipairs'],
  'break outside a loop': ['do break end', 'syntax the direct compiler does not read'],
  'a global written': ['x = 1', 'global assignment'],
  'a global read': ['local t = ngx.ctx', 'global ngx'],
  'a library as a value': ['local s = string', 'string as a value'],
  'a method call': ['local s = kong.request.get_header("a"):upper()', 'method'],
  'a power': ['local n = 2 ^ 3', 'operator ^'],
  'a vararg': ['local a = ...', '...'],
  'a string with an escape': ['local s = "a\\n"', 'string literal'],
  'a long string': ['local s = [[a]]', 'string literal'],
  'a positional table field': ['local t = { 1 }', 'table field'],
  'a function': ['local function f() end', 'function'],
  'a PDK call not covered': ['kong.response.set_status(200)', 'kong.response.set_status'],
  'two assignments at once': ['local a, b\na, b = 1, 2', 'multiple assignment'],
  'kong.ctx.plugin': ['local p = kong.ctx.plugin', 'kong.ctx.plugin'],
  'a syntax error': ['local = 1', 'syntax the direct compiler does not read'],
  'an integer-like string key in a constructor (JS would list it first)': ['local t = { ["1"] = "a" }', 'key 1'],
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
    for (const source of DIRECT) expect(compileDirect(source).snippet, source).to.not.equal(null);
  });

  for (const [what, [source, reason]] of Object.entries(VM)) {
    it(`leaves ${what} to the VM, saying why`, () => {
      expect(compileDirect(source)).to.deep.equal({ snippet: null, reason: `not covered: ${reason}` });
    });
  }

  it('reads the JS values, writes into per-request data, and sets the upstream header', () => {
    const params: Record<string, unknown> = { url: 'http://a/' };
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c1: entry(params) }) }, [['X-User', 'alice']]);
    const ok = compileDirect(DIRECT[0]).snippet!.run(scope);
    expect(ok).to.equal(true);
    expect(params.headers).to.deep.equal({ 'X-Req-User': 'alice' });
    expect(scope.directEdits).to.equal(true);
    expect(compileDirect('kong.service.request.set_header("X-A", kong.ctx.shared.callouts.c1.request.params.url)').snippet!.run(scope)).to.equal(true);
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
      'b.plan = "x"'].join('\n')).snippet!;
    expect(undone.run(scope)).to.equal(false);
    expect(params.url).to.equal('http://a/');
    expect(scope.exchange.upstream.headers.has('x-set')).to.equal(false);
    expect(scope.directEdits).to.equal(false);
    expect(compileDirect('kong.ctx.shared.callouts.c1 = {}').snippet!.run(scope)).to.equal(false);
    expect(compileDirect('kong.ctx.shared.callouts.c1.request = {}').snippet!.run(scope)).to.equal(false);
    expect(compileDirect('kong.ctx.shared.x = 1').snippet!.run(scope)).to.equal(false);
    expect(compileDirect('local v = kong.ctx.shared.callouts.nope.request').snippet!.run(scope)).to.equal(false);
    expect(compileDirect('local v = kong.ctx.shared.callouts.c1.request.params.url.len').snippet!.run(scope)).to.equal(false);
    // Tables it did not make itself (they would reach the plugin in their JS wrapping), integer-like keys.
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\np.x = { b = kong.ctx.shared.callouts.c2.response.body }').snippet!.run(scope)).to.equal(false);
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\np.x = kong.ctx.shared.callouts.c2.response').snippet!.run(scope)).to.equal(false);
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\np["2"] = "x"').snippet!.run(scope)).to.equal(false);
    expect(params).to.deep.equal({ url: 'http://a/' });
    expect(compileDirect('local p = kong.ctx.shared.callouts.c1.request.params\nlocal t = { a = "1" }\np.x = t\nt.b = "2"').snippet!.run(scope)).to.equal(true);
    expect(params).to.deep.equal({ url: 'http://a/', x: { a: '1', b: '2' } });
  });

  it('bails where the VM formats or compares differently: tables compared, inf, a lone surrogate, an inf header value', () => {
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry({}, { t: {}, n: 1e309, s: '\ud800', k: 5, f: 0.1 }) }) });
    const body = 'kong.ctx.shared.callouts.c.response.body';
    for (const source of [`local x = ${body}.t == ${body}.t`, `local x = "" .. ${body}.n`, `local x = ${body}.s .. ""`,
      `kong.service.request.set_header("X", ${body}.n)`]) {
      expect(compileDirect(source).snippet!.run(scope), source).to.equal(false);
    }
    expect(compileDirect(`kong.service.request.set_header("X", "n" .. ${body}.k)`).snippet!.run(scope)).to.equal(true);
    expect(scope.exchange.upstream.headers.get('x')).to.equal('n5');
    expect(compileDirect(`kong.service.request.set_header("X", ${body}.k)\nkong.service.request.set_header("Y", ${body}.f)`).snippet!.run(scope)).to.equal(true);
    expect([scope.exchange.upstream.headers.get('x'), scope.exchange.upstream.headers.get('y')]).to.deep.equal(['5', '0.1']);
  });

  it('compares numbers and strings as the VM does, # counts UTF-8 bytes; mixed types, tables and strings from U+D800 bail', () => {
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry({}, { n: 5, s: 'é', e: '\uE000', a: '\u{1F600}', t: {} }) }) });
    const body = 'kong.ctx.shared.callouts.c.response.body';
    const results = (source: string): string | null => {
      const ran = compileDirect(`kong.service.request.set_header("X", ${source})`).snippet!.run(scope);
      return ran ? scope.exchange.upstream.headers.get('x') ?? null : null;
    };
    expect([`${body}.n < 6`, `${body}.n <= 5`, `${body}.n > 5`, `${body}.n >= 5.5`, `"b" > "abc"`, `"ab" < "abc"`, `${body}.s > "z"`,
      `#${body}.s`, `#"abc"`, `#${body}.s == 2`].map(results)).to.deep.equal(['true', 'true', 'false', 'false', 'true', 'true', 'true', '2', '3', 'true']);
    for (const source of [`${body}.n < "6"`, `${body}.t < ${body}.t`, `${body}.a < ${body}.e`, `${body}.n < nil`, `#${body}.t`, `#${body}.n`]) {
      expect(results(source), source).to.equal(null);
    }
  });

  it('does arithmetic on two numbers as LuaJIT doubles do (% takes the sign of the divisor); strings, nil and tables bail', () => {
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry({}, { n: 7, s: '10', t: {} }) }) });
    const body = 'kong.ctx.shared.callouts.c.response.body';
    const spelled = (source: string): string | null => {
      const ran = compileDirect(`kong.service.request.set_header("X", ${source})`).snippet!.run(scope);
      return ran ? scope.exchange.upstream.headers.get('x') ?? null : null;
    };
    expect([`${body}.n + 1`, `${body}.n - 10`, `${body}.n * 1.5`, `${body}.n / 2`, `10 / 2`, `${body}.n % -3`, `-${body}.n % 3`,
      `5.5 % 2`, `-${body}.n`, `9007199254740992 + 1`, `1 + 2 * 3 - 4 / 2`, `(${body}.n + 1) .. "x"`].map(spelled))
      .to.deep.equal(['8', '-3', '10.5', '3.5', '5', '-2', '2', '1.5', '-7', '9.007199254741e+15', '5', '8x']);
    for (const source of [`${body}.s + 1`, `${body}.n + nil`, `${body}.t * 2`, `-${body}.s`, `${body}.n % 0`, `${body}.n / 0`]) {
      expect(spelled(source), source).to.equal(null);
    }
  });

  it('numeric for and ipairs as Lua runs them: bounds read once, steps, break, return from inside, up to the first nil', () => {
    const items = ['a', 'b', LUA_NULL, 'c'];   // a JSON null is cjson.null, which is not nil
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry({}, { items: new LazyValue(items), obj: { k: 'v' }, n: 3 }) }) });
    const body = 'kong.ctx.shared.callouts.c.response.body';
    const spelled = (source: string): string | null => {
      const ran = compileDirect(`local out = ""\n${source}\nkong.service.request.set_header("X", out)`).snippet!.run(scope);
      return ran ? scope.exchange.upstream.headers.get('x') ?? null : null;
    };
    expect([
      'for i = 1, 3 do out = out .. i end',
      'for i = 3, 1, -1 do out = out .. i end',
      'for i = 1, 2, 0.5 do out = out .. i .. "," end',
      'for i = 5, 1 do out = out .. i end',
      `for i = 1, ${body}.n do if i == 2 then break end out = out .. i end`,
      'for i = 1, 2 do for j = 1, 2 do if j == 2 then break end out = out .. i .. j end end',
      `for i, v in ipairs(${body}.items) do out = out .. i .. (v == "b" and "B" or "") .. ";" end`,
      `for _, v in ipairs(${body}.obj) do out = out .. "x" end`,
      `for i in ipairs(${body}.items) do out = out .. i end`,
    ].map(spelled)).to.deep.equal(['123', '321', '1,1.5,2,', ' ', '1', '1121', '1;2B;3;4;', ' ', '1234']);   // "" is sent as " " 
    // a return inside a loop ends the snippet: the header after it is not set
    expect(compileDirect('for i = 1, 3 do if i == 2 then return end kong.service.request.set_header("Y", i) end\nkong.service.request.set_header("Y", "after")').snippet!.run(scope)).to.equal(true);
    expect(scope.exchange.upstream.headers.get('y')).to.equal('1');
    for (const source of ['for i = 1, 2, 0 do end', `for i = 1, "2" do end`, 'for i = 1, 1e9 do end', `for _, v in ipairs(${body}.none) do end`,
      `for _, v in ipairs(${body}.n) do end`]) {
      expect(compileDirect(source).snippet!.run(scope), source).to.equal(false);
    }
  });

  it('reads the client request as the PDK does: query args (first value, true when bare), path, raw path, method, raw query', () => {
    const exchange = makeExchange({ path: '/a//b/../c', query: 'k=1&k=2&bare&e=%C3%A9' });
    const scope = createScope(exchange);
    const read = (call: string): unknown => {
      const local = compileDirect(`kong.service.request.set_header("X-Out", tostring(${call}))`).snippet!;
      expect(local.run(scope), call).to.equal(true);
      return exchange.upstream.headers.get('x-out');
    };
    expect(['kong.request.get_query_arg("k")', 'kong.request.get_query_arg("bare")', 'kong.request.get_query_arg("e")',
      'kong.request.get_query_arg("none")', 'kong.request.get_path()', 'kong.request.get_raw_path()', 'kong.request.get_method()',
      'kong.request.get_raw_query()'].map(read)).to.deep.equal(['1', 'true', 'é', 'nil', '/a/c', '/a//b/../c', 'GET', 'k=1&k=2&bare&e=%C3%A9']);
    expect(compileDirect('local v = kong.request.get_query_arg(1)').snippet!.run(scope)).to.equal(false);
  });

  it('storing back the value a field already holds changes nothing and does not bail; another JS-held table still does', () => {
    const headers = { 'User-Agent': 'x' };
    const params: Record<string, unknown> = { url: 'http://a/', headers };
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry(params) }) });
    const p = 'local p = kong.ctx.shared.callouts.c.request.params';
    expect(compileDirect(`${p}\np.headers = p.headers or {}`).snippet!.run(scope)).to.equal(true);
    expect(params.headers).to.equal(headers);
    expect(scope.directEdits).to.equal(false);
    expect(compileDirect(`${p}\np.copy = p.headers`).snippet!.run(scope)).to.equal(false);
    expect(params).to.not.have.property('copy');
  });

  it('kong.response.exit records the answer as the PDK does and ends the snippet, keeping what it wrote before', () => {
    const params: Record<string, unknown> = { url: 'http://a/' };
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry(params, { u: 'a/b', n: 2.5 }) }) });
    const ran = compileDirect([
      'local p = kong.ctx.shared.callouts.c.request.params',
      'p.url = "before"',
      'if p.url then',
      '  kong.response.exit(409, { u = kong.ctx.shared.callouts.c.response.body.u, n = kong.ctx.shared.callouts.c.response.body.n, t = { f = false } }, { ["X-A"] = "1", ["X-N"] = kong.ctx.shared.callouts.c.response.body.n })',
      'end',
      'p.url = "after"'].join('\n')).snippet!.run(scope);
    expect(ran).to.equal(true);
    expect(params.url).to.equal('before');
    expect(scope.directEdits).to.equal(true);
    const exit = scope.exchange.response.exit!;
    expect(exit.status).to.equal(409);
    expect(Buffer.from(exit.body!).toString()).to.equal('{"u":"a\\/b","n":2.5,"t":{"f":false}}');
    expect(exit.headers).to.deep.equal([['X-A', '1'], ['X-N', '2.5'], ['Content-Type', 'application/json; charset=utf-8'], ['Content-Length', '36']]);
  });

  it('leaves kong.response.exit to the VM where it raises or spells values itself, undoing earlier writes', () => {
    const params: Record<string, unknown> = { url: 'http://a/' };
    const scope = scopeWith({ callouts: Object.assign(Object.create(null), { c: entry(params, { obj: { a: 1 }, inf: 1e309 }) }) });
    const body = 'kong.ctx.shared.callouts.c.response.body';
    for (const exit of ['kong.response.exit("200")', 'kong.response.exit(200.5)', 'kong.response.exit(99)', 'kong.response.exit(200, true)',
      `kong.response.exit(200, ${body}.obj)`, `kong.response.exit(200, { o = ${body}.obj })`, `kong.response.exit(200, nil, { ["X-N"] = ${body}.inf })`,
      `kong.response.exit(200, nil, ${body}.obj)`]) {
      const source = `kong.ctx.shared.callouts.c.request.params.url = "changed"\n${exit}`;
      expect(compileDirect(source).snippet!.run(scope), exit).to.equal(false);
      expect(params.url, exit).to.equal('http://a/');
      expect(scope.exchange.response.exit, exit).to.equal(null);
    }
  });
});
