// Template rendering rules (kong-behaviour.md §4.1, §4.2, RC-50..RC-54) on the real VM.
import { expect } from 'chai';
import { compileTemplate, TemplateWaitError } from '../../src/template/compile';
import { createScope, releaseScope } from '../../src/pdk';
import type { PdkScope } from '../../src/pdk';
import { LuaRuntimeError, LuaSyntaxError } from '../../src/lua/errors';
import { makeEngine, makeExchange, chunkRunner } from '../03-pdk/support';
import type { ExchangeSpec } from '../03-pdk/support';

describe('templates: rendering rules', () => {
  const engine = makeEngine();
  const runChunk = chunkRunner(engine);
  let scope: PdkScope;

  function render(text: string, spec: ExchangeSpec = {}, s?: PdkScope): string {
    return compileTemplate(engine, text, 'TMP').render(s ?? (scope = createScope(makeExchange(spec))));
  }

  afterEach(() => { if (scope) releaseScope(engine, scope); });

  describe('literal values', () => {
    it('returns a value without template syntax unchanged, without the VM', () => {
      const t = compileTemplate(engine, 'plain text $x and $ alone', 'TMP');
      expect(t.isLiteral).to.equal(true);
      expect(t.render(createScope(makeExchange()))).to.equal('plain text $x and $ alone');
    });
    it('keeps a `#` that is not at the start of a line', () => {
      expect(render('a#b')).to.equal('a#b');
    });
    it('treats an unbalanced `$(` as text', () => {
      expect(render('x $(1 + ( y')).to.equal('x $(1 + ( y');
    });
    it('keeps trailing whitespace and newlines of literal text', () => {
      expect(render('$(1)  \n')).to.equal('1  \n');
    });
  });

  describe('value conversion (RC-51)', () => {
    it('renders nil and false as ""', () => {
      expect(render('a$(headers.missing)b')).to.equal('ab');
      expect(render('[$(1 == 2)]')).to.equal('[]');
      expect(render('[$(nil)]')).to.equal('[]');
    });
    it('renders true as "true"', () => {
      expect(render('$(1 == 1)')).to.equal('true');
    });
    it('formats numbers as LuaJIT does', () => {
      expect(render('$(1/4)')).to.equal('0.25');
      expect(render('$(10/2)')).to.equal('5');
      expect(render('$(200)')).to.equal('200');
      expect(render('$(1e15)')).to.equal('1e+15');
      expect(render('$(0.1)')).to.equal('0.1');
      expect(render('$(1/0)|$(-1/0)')).to.equal('inf|-inf');
      expect(render('$(2^53)')).to.equal('9.007199254741e+15');
    });
    it('renders tables and functions as their tostring text', () => {
      expect(render('$({})')).to.match(/^table: 0x[0-9a-f]+$/);
      expect(render('$(type)')).to.match(/^(function|builtin): /);
    });
    it('always returns a string, even for a single numeric expression', () => {
      const out = render('$(5)');
      expect(out).to.be.a('string').and.equal('5');
    });
    it('renders callouts.<name>.response.status as 200 (RC-51)', async () => {
      const s = createScope(makeExchange());
      await runChunk('kong.ctx.shared.callouts = { c1 = { response = { status = 200 } } }', undefined, s);
      expect(render('$(callouts.c1.response.status)', {}, s)).to.equal('200');
      releaseScope(engine, s);
    });
  });

  describe('escaping (RC-52, RC-08)', () => {
    it("emits a literal $(...) from a quoted string", () => {
      expect(render("$('$(headers.x)')")).to.equal('$(headers.x)');
      expect(render("$('$(uri_captures.user1)')")).to.equal('$(uri_captures.user1)');
    });
    it('emits a leading # from an expression', () => {
      expect(render('$("#1234!")')).to.equal('#1234!');
    });
    it('rejects a value that starts with # and is not Lua at compile time', () => {
      expect(() => compileTemplate(engine, '#1234!', 'TMP')).to.throw(LuaSyntaxError);
    });
    it('counts every parenthesis, even inside strings (Penlight %b())', () => {
      // `$(")")` closes at the first `)`: the expression is `"` and does not compile.
      expect(() => compileTemplate(engine, '$(")")', 'TMP')).to.throw(LuaSyntaxError);
    });
  });

  describe('lambdas and Lua lines', () => {
    it('runs an immediately-called function expression', () => {
      expect(render('$((function() local t = {} for i = 1, 3 do t[#t + 1] = i end return table.concat(t, ",") end)())')).to.equal('1,2,3');
    });
    it('keeps the line structure of multi-line templates', () => {
      expect(render('a=$(1)\nb=$(2)\n')).to.equal('a=1\nb=2\n');
    });
    it('runs `#` lines as Lua statements and outputs only the text lines', () => {
      expect(render('# for i = 1, 3 do\n$(i);\n# end\n')).to.equal('1;\n2;\n3;\n');
    });
    it('accepts several escape characters at the start of a Lua line', () => {
      expect(render('## local x = 2\n$(x * 2)')).to.equal('4');
    });
    it('reports runtime errors with the template line', () => {
      expect(() => render('line1\n$(nope.x)')).to.throw(LuaRuntimeError, '[string "TMP"]:2: attempt to index global \'nope\' (a nil value)');
    });
  });

  describe('environment (§4.2, RC-50)', () => {
    const rc50: ExchangeSpec = {
      path: '/users/42', query: 'lang=en', headers: [['X-Trace', 't1']],
      captures: { unnamed: ['/users/42', '42'], named: { uid: '42' } },
    };
    it('serves uri_captures, query_params and headers shortcuts (RC-50)', () => {
      expect(render('$(uri_captures.uid)', rc50)).to.equal('42');
      expect(render('$(query_params.lang)', rc50)).to.equal('en');
      expect(render('$(headers.x_trace)', rc50)).to.equal('t1');
      expect(render('$(headers["X-Trace"])', rc50)).to.equal('t1');
      expect(render('$(headers["x-trace"])', rc50)).to.equal('t1');
    });
    it('numbers uri captures from 0 (the whole match)', () => {
      expect(render('$(uri_captures[0])|$(uri_captures[1])', rc50)).to.equal('/users/42|42');
    });
    it('gives repeated headers and query args as arrays', () => {
      const spec: ExchangeSpec = { query: 'a=1&a=2&flag', headers: [['X-M', '1'], ['x-m', '2']] };
      expect(render('$(headers.x_m[1])$(headers.x_m[2]) $(#headers.x_m)', spec)).to.equal('12 2');
      expect(render('$(query_params.a[2]) $(query_params.flag)', spec)).to.equal('2 true');
    });
    it('exposes kong, ngx-free PDK calls, type, tostring and the string library', () => {
      const spec: ExchangeSpec = { headers: [['X-U', 'http://x.test']] };
      expect(render('$(kong.request.get_header("x-u"))', spec)).to.equal('http://x.test');
      expect(render('$(type(callouts))')).to.equal('nil');
      expect(render('$(string.sub("abcdef", 1, 3))|$(("abcdef"):sub(4))|$(tostring(12))')).to.equal('abc|def|12');
    });
    it('computes shortcuts only when referenced', () => {
      const s = createScope(makeExchange({ headers: [['X-A', '1']] }));
      compileTemplate(engine, '$(1 + 1)', 'TMP').renderInVm(s);
      expect(s.tables).to.equal(null);
      compileTemplate(engine, '$(headers.x_a)', 'TMP').renderInVm(s);
      expect([...(s.tables?.keys() ?? [])]).to.deep.equal(['template.headers']);
      releaseScope(engine, s);
    });
    it('snapshots the incoming request: upstream edits do not show through', () => {
      const exchange = makeExchange({ headers: [['X-A', 'client']] });
      const s = createScope(exchange);
      exchange.upstream.headers.set('X-A', 'changed');
      expect(compileTemplate(engine, '$(headers.x_a)', 'TMP').render(s)).to.equal('client');
      releaseScope(engine, s);
    });
    it('reads callouts live from kong.ctx.shared (nil until set)', async () => {
      const s = createScope(makeExchange());
      const t = compileTemplate(engine, '[$(type(callouts))]', 'TMP');
      expect(t.render(s)).to.equal('[nil]');
      await runChunk('kong.ctx.shared.callouts = {}', undefined, s);
      expect(t.render(s)).to.equal('[table]');
      expect(compileTemplate(engine, '$(shared.callouts == callouts)', 'TMP').render(s)).to.equal('true');
      releaseScope(engine, s);
    });
    it('is read-only', () => {
      expect(() => render('# x = 1\n$(x)')).to.throw(LuaRuntimeError, '[string "TMP"]:1: This environment is read-only.');
    });
    it('is shared by every template and request without leaking state', () => {
      const a = createScope(makeExchange({ headers: [['X-A', 'one']] }));
      const b = createScope(makeExchange({ headers: [['X-A', 'two']] }));
      const t = compileTemplate(engine, '$(headers.x_a)', 'TMP');
      expect(t.renderInVm(a)).to.equal('one');
      expect(t.renderInVm(b)).to.equal('two');
      expect(t.renderInVm(a)).to.equal('one');
      releaseScope(engine, a);
      releaseScope(engine, b);
    });
  });

  describe('runtime errors (RC-54)', () => {
    it('raises when indexing a missing callout', () => {
      expect(() => render('$(callouts.nope.response.status)')).to.throw(LuaRuntimeError, "attempt to index global 'callouts' (a nil value)");
    });
    it('names the chunk as the caller chose', () => {
      const t = compileTemplate(engine, '$(foo())', 'TMP');
      expect(() => t.render(createScope(makeExchange()))).to.throw(LuaRuntimeError, `[string "TMP"]:1: attempt to call global 'foo' (a nil value)`);
    });
    it('fails clearly when a template would wait on the host (unread body)', () => {
      const s = createScope(makeExchange({ body: 'x', bodyBuffered: false }));
      const t = compileTemplate(engine, '$(kong.request.get_raw_body())', 'TMP');
      expect(() => t.render(s)).to.throw(LuaRuntimeError, 'the request body is not available here');
      expect(TemplateWaitError).to.be.a('function');
    });
    it('reads a buffered body synchronously', () => {
      expect(render('$(kong.request.get_raw_body())', { body: 'hello' })).to.equal('hello');
    });
  });
});
