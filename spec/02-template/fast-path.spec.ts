// Differential check of the template fast path: on generated requests, callout contexts and field
// paths, render() (fast path when possible) must equal renderInVm() — same string or same error.
import { expect } from 'chai';
import { lua } from '../../src/lua/fengari';
import type { LuaEngine } from '../../src/lua/engine';
import { lazySourceOfTable, pushLazyJson } from '../../src/lua/lazy';
import { asTable, rawKey, rawStringField } from '../../src/lua/raw-table';
import { pushValue } from '../../src/lua/marshal';
import { compileTemplate } from '../../src/template/compile';
import { BAIL, parseFieldPath, planFastPath, renderFast } from '../../src/template/fast-path';
import { parseTemplate } from '../../src/template/parse';
import { createScope, releaseScope, pushRequestTable, SHARED_REF } from '../../src/pdk';
import type { PdkScope } from '../../src/pdk';
import { CaseInsensitiveFields, LazyValue, sharedSource } from '../../src/pdk/shared-fields';
import { makeEngine, makeExchange } from '../03-pdk/support';

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER_NAMES = ['X-Trace', 'x-trace', 'X-Api-Key', 'x_under', 'Accept', 'X-M', 'x-m', 'Content-Type'];
const VALUES = ['t1', '', 'é✓', '42', '0.5', 'a b', 'true'];
const QUERY = ['lang=en', 'a=1', 'a=2', 'flag', 'empty=', 'sp=a+b', 'pct=%41%zz', '=x', '', 'uid=7', 'x_trace=q'];
const KEYS = ['token', 'a', 'b', '1', 'list', 'n', 'nul', 't', 'f', 'status', 'body', 'response'];
const STEPS = ['.x_trace', '["X-Trace"]', "['x-trace']", '.x_api_key', '.lang', '.a', '[1]', '[2]', '[0]', '.uid', '.c',
  '.response', '.body', '.token', '.status', '.list', '.nul', '.n', '.t', '.f', '["1"]', '.missing', '.x_m', '.flag', '.empty',
  '.sp', '.pct', '.x_under', '.accept', '.callouts', '.len', '.headers', '["Content-Type"]', '.request', '.params',
  '.caching', '.retries', '.n_retries', '.reason'];
const ROOTS = ['headers', 'query_params', 'uri_captures', 'callouts', 'shared'];
/** Paths a real template would use, so most cases reach a value the fast path answers. */
const SENSIBLE = ['headers.x_trace', 'headers["X-Trace"]', 'headers.x_m', 'headers.x_m[2]', 'headers.accept', 'headers.x_under',
  'query_params.lang', 'query_params.a', 'query_params.a[1]', 'query_params.flag', 'query_params.sp', 'query_params.pct',
  'uri_captures.uid', 'uri_captures[1]', 'uri_captures[0]', 'callouts.c.response.status', 'callouts.c.response.body.token',
  'callouts.c.response.body.a', 'callouts.c.response.body[1]', 'callouts.c.response.body.list', 'callouts.c.response.body.n',
  'callouts.c.response.body.a.b', 'shared.callouts', 'shared.x', 'callouts.c.response.headers["Content-Type"]',
  'callouts.c.response.headers["content-type"]', 'callouts.c.response.headers.x_m', 'callouts.c.request.params.url',
  'callouts.c.request.n_retries', 'callouts.c.request.retries[1].reason', 'callouts.c.caching.bypass',
  'callouts.c.caching.cache_ttl', 'shared.callouts.c.response.status', 'callouts.c.request.params.headers["X-A"]'];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

function jsonValue(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 3 || k < 0.35) return pick(r, ['tok', '', 12, 0.1, 1e20, -3, true, false, null, 'x/y', 200]);
  if (k < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => jsonValue(r, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) obj[pick(r, KEYS)] = jsonValue(r, depth + 1);
  return obj;
}

/** A callout entry as request-callout holds it in JS before Lua asks for kong.ctx.shared. */
function pendingEntry(r: () => number, body: unknown): Record<string, unknown> {
  const retries = r() < 0.5 ? [] : [{ reason: 'code', err: 'status 500 is listed in http_statuses', http_code: 500 }];
  return {
    request: {
      params: { url: pick(r, ['http://a.test/x', '']), method: 'GET', headers: { 'X-A': pick(r, ['1', '']) }, query: null },
      retries,
      n_retries: retries.length,
    },
    caching: new LazyValue({ strategy: 'memory', cache_ttl: 300, bypass: r() < 0.5, redis: { host: null } }),
    response: {
      status: pick(r, [200, 201.5, 404]),
      headers: new CaseInsensitiveFields({ 'content-type': 'application/json', 'x-m': ['1', '2'] }),
      body: r() < 0.7 ? new LazyValue(body) : r() < 0.5 ? Buffer.from('raw bytes') : body,
    },
  };
}

/**
 * Sets kong.ctx.shared (and maybe callouts.c with a lazy or plain body) for the scope: in Lua, or
 * held in JS as request-callout does until Lua asks for kong.ctx.shared.
 */
function setContext(engine: LuaEngine, scope: PdkScope, r: () => number): void {
  const k = r();
  if (k < 0.2) return;
  const body = jsonValue(r, 0);
  if (k < 0.5) {
    sharedSource(scope).callouts = { c: pendingEntry(r, body) };
    return;
  }
  const L = engine.L;
  const top = lua.lua_gettop(L);
  pushRequestTable(engine, L, scope, SHARED_REF);
  if (k < 0.6) { lua.lua_settop(L, top); return; }
  lua.lua_createtable(L, 0, 1);           // callouts
  lua.lua_createtable(L, 0, 1);           // c
  lua.lua_createtable(L, 0, 2);           // response
  lua.lua_pushnumber(L, pick(r, [200, 201.5, 404]));
  lua.lua_setfield(L, -2, 'status');
  if (r() < 0.7) pushLazyJson(L, body); else pushValue(L, body);
  lua.lua_setfield(L, -2, 'body');
  lua.lua_setfield(L, -2, 'response');
  lua.lua_setfield(L, -2, 'c');
  lua.lua_setfield(L, -2, 'callouts');
  lua.lua_settop(L, top);
}

function outcome(render: () => string): string {
  try {
    return `ok:${render()}`;
  } catch (e) {
    return `err:${(e as Error).constructor.name}:${(e as Error).message}`;
  }
}

describe('templates: fast path', () => {
  const engine = makeEngine();

  it('recognises plain field paths only', () => {
    const pathOf = (code: string): unknown => {
      const path = parseFieldPath(code);
      return path && { root: path.root, keys: path.keys };
    };
    expect(pathOf('headers.x')).to.deep.equal({ root: 'headers', keys: ['x'] });
    expect(pathOf(' headers [ "X-Trace" ] ')).to.deep.equal({ root: 'headers', keys: ['X-Trace'] });
    expect(pathOf("callouts.c.response.body['token']")).to.deep.equal({ root: 'callouts', keys: ['c', 'response', 'body', 'token'] });
    expect(pathOf('uri_captures[1]')).to.deep.equal({ root: 'uri_captures', keys: [1] });
    expect(parseFieldPath('callouts.c[2]')?.tableKeys).to.deep.equal([rawKey('c'), 2]);
    expect(parseFieldPath('headers.x or "d"')).to.equal(null);
    expect(parseFieldPath('kong.request')).to.equal(null);
    expect(parseFieldPath('headers["a\\"b"]')).to.equal(null);
    expect(planFastPath(parseTemplate('# x = 1\n$(headers.x)'))).to.equal(null);
    expect(planFastPath(parseTemplate('a $(headers.x) b'))).to.have.length(3);
  });

  it('renders exactly what the VM renders on 3,000 generated cases', () => {
    const r = prng(20261121);
    let served = 0;
    let total = 0;
    let heldServed = 0;
    let heldTotal = 0;
    for (let n = 0; n < 3000; n++) {
      const headers: Array<[string, string]> = [];
      const many = r() < 0.03 ? 101 : Math.floor(r() * 7);
      for (let i = 0; i < many; i++) headers.push([pick(r, HEADER_NAMES), pick(r, VALUES)]);
      const query = Array.from({ length: Math.floor(r() * 5) }, () => pick(r, QUERY)).join('&');
      const captures = r() < 0.5 ? { unnamed: ['/users/42', '42'], named: { uid: '42' } } : r() < 0.5 ? null : undefined;
      const exchange = makeExchange({ headers, query, captures });
      const scope = createScope(exchange);
      setContext(engine, scope, r);
      const heldInJs = scope.sharedTable === null && scope.sharedSource !== undefined;
      const exprs = Array.from({ length: 1 + Math.floor(r() * 2) }, () => (r() < 0.7
        ? `$(${pick(r, SENSIBLE)})`
        : `$(${pick(r, ROOTS)}${Array.from({ length: Math.floor(r() * 5) }, () => pick(r, STEPS)).join('')})`));
      const text = (r() < 0.5 ? 'pre-' : '') + exprs.join(r() < 0.5 ? ' ' : '');
      const template = compileTemplate(engine, text, 'TMP');
      expect(template.hasFastPath, text).to.equal(true);
      const plan = planFastPath(parseTemplate(text))!;
      const fast1 = renderFast(scope, plan);
      const first = outcome(() => template.render(scope));
      const vm = outcome(() => template.renderInVm(scope));
      const again = outcome(() => template.render(scope));
      total++;
      if (fast1 !== BAIL) served++;
      if (heldInJs) heldTotal++;
      if (heldInJs && fast1 !== BAIL) heldServed++;
      expect(first, `${text} (fast first)`).to.equal(vm);
      expect(again, `${text} (fast after VM)`).to.equal(vm);
      releaseScope(engine, scope);
    }
    // The comparison is only meaningful if the fast path really answered most cases.
    expect(served / total).to.be.greaterThan(0.3);
    expect(heldServed / heldTotal).to.be.greaterThan(0.3);
  });

  it('answers `$(headers.x)` and a lazy callout body path without the VM', () => {
    const scope = createScope(makeExchange({ headers: [['X', 'v']] }));
    setContext(engine, scope, () => 0.95);
    const L = engine.L;
    pushRequestTable(engine, L, scope, SHARED_REF);
    lua.lua_getfield(L, -1, 'callouts');
    lua.lua_getfield(L, -1, 'c');
    lua.lua_getfield(L, -1, 'response');
    pushLazyJson(L, { token: 'abc' });
    lua.lua_setfield(L, -2, 'body');
    lua.lua_settop(L, 0);
    expect(renderFast(scope, planFastPath(parseTemplate('$(headers.x)'))!)).to.equal('v');
    expect(renderFast(scope, planFastPath(parseTemplate('$(callouts.c.response.body.token)'))!)).to.equal('abc');
    releaseScope(engine, scope);
  });

  it('answers callout paths held in JS without creating kong.ctx.shared, and those Lua has not read after it did', () => {
    const scope = createScope(makeExchange());
    sharedSource(scope).callouts = {
      c: pendingEntry(() => 0.1, { token: 'abc', n: 3 }),
      d: pendingEntry(() => 0.1, { token: 'xyz' }),
    };
    const fast = (text: string): string | typeof BAIL => renderFast(scope, planFastPath(parseTemplate(text))!);
    expect(fast('$(callouts.c.response.body.token)')).to.equal('abc');
    expect(fast('$(callouts.c.response.headers["Content-Type"])')).to.equal('application/json');
    expect(fast('$(callouts.c.request.params.url)')).to.equal('http://a.test/x');
    expect(scope.sharedTable).to.equal(null);
    const viaVm = compileTemplate(engine, '$(callouts.c.response.body.n + 1)', 'TMP');
    expect(viaVm.render(scope)).to.equal('4');
    expect(scope.sharedTable).to.not.equal(null);
    expect(fast('$(callouts.c.response.body.token)')).to.equal('abc');
    // Lua built kong.ctx.shared, callouts and c; d is still the JS value, read there.
    const callouts = asTable(rawStringField(scope.sharedTable!, 'callouts'))!;
    expect(lazySourceOfTable(callouts)?.done.has('d')).to.equal(false);
    expect(fast('$(callouts.d.response.body.token)')).to.equal('xyz');
    expect(fast('$(shared.callouts.d.response.body.token)')).to.equal('xyz');
    expect(compileTemplate(engine, '$(callouts.d.response.body.token .. "!")', 'TMP').render(scope)).to.equal('xyz!');
    releaseScope(engine, scope);
  });
});
