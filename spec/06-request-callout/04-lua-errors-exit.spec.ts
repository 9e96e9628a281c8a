// RC-53..RC-56, RC-59, RC-60: runtime errors in snippets and templates, sandbox, short-circuits.
import { expect } from 'chai';
import { startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: Lua errors and short-circuits (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });
  const unexpected = { message: 'An unexpected error occurred' };

  it('RC-53 no shortcuts in by_lua: 500 JSON, upstream not contacted, error logged with the snippet', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` } }],
      upstream: { by_lua: 'kong.service.request.set_header("X", callouts.c1.response.status)' },
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(500);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(JSON.parse(res.body)).to.deep.equal(unexpected);
      expect(f.upstream.received).to.have.length(0);
      const line = await g.gw.waitForLog(/request-callout: upstream\.by_lua: /);
      expect(line).to.contain(`[string "request-callout"]:1: attempt to index global 'callouts' (a nil value)`);
    });
  });

  it('RC-54 runtime error in an expression: 500, upstream not contacted', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` } }],
      upstream: { headers: { custom: { X: '$(callouts.nope.response.status)' } } },
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(500);
      expect(JSON.parse(res.body)).to.deep.equal(unexpected);
      expect(f.upstream.received).to.have.length(0);
      await g.gw.waitForLog(/request-callout: upstream\.headers\.custom\.X: .*attempt to index field 'nope' \(a nil value\)/);
    });
  });

  const requireSnippet = 'local cjson = require("cjson"); kong.service.request.set_header("X-J", cjson.encode({1}))';

  it('RC-55 require in the sandbox: refused by default', async () => {
    await withGateway(f, { callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` } }], upstream: { by_lua: requireSnippet } }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(500);
      expect(f.upstream.received).to.have.length(0);
      await g.gw.waitForLog(/require 'cjson' not allowed within sandbox/);
    });
  });

  it('RC-55 require in the sandbox: allowed by untrusted_lua_sandbox_requires', async () => {
    await withGateway(f, { callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` } }], upstream: { by_lua: requireSnippet } }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-j']).to.equal('[1]');
    }, { env: { KONG_UNTRUSTED_LUA_SANDBOX_REQUIRES: 'cjson' } });
  });

  it('a catastrophically backtracking ngx.re match on a client header is stopped; the gateway keeps serving', async () => {
    const snippet = [
      'local m, err = ngx.re.match(kong.request.get_header("x-name"), [[^(\\w+\\s?)+$]])',
      'if err then return kong.response.exit(400, { error = err }) end',
      'kong.service.request.set_header("X-Name-Ok", m and "yes" or "no")',
    ].join('\n');
    await withGateway(f, { callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` } }], upstream: { by_lua: snippet } }, async (g) => {
      const attack = await g.call('/r', { headers: { 'x-name': `${'a'.repeat(34)}!` } });
      expect(attack.status).to.equal(400);
      expect(JSON.parse(attack.body)).to.deep.equal({ error: 'pcre_exec() failed: -47' });
      const echo = await g.echo('/r', { headers: { 'x-name': 'alice smith' } });
      expect(echo.headers['x-name-ok']).to.equal('yes');
    }, { env: { LUAGATE_LUA_TIME_BUDGET_MS: '200' } });
  });

  it('RC-56 disallowed global: os.execute is nil', async () => {
    await withGateway(f, { callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok`, by_lua: 'os.execute("id")' } }] }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(500);
      expect(f.mock.received).to.have.length(0);
      const line = await g.gw.waitForLog(/request-callout: callouts\[1\]\.request\.by_lua: /);
      expect(line).to.contain("attempt to call field 'execute' (a nil value)");
    });
  });

  it('RC-59 short-circuit from response.by_lua: block stops later callouts and the upstream; allow proxies', async () => {
    let action = 'block';
    f.mock.on('/check', () => ({ body: { action } }));
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/check` }, response: { body: { decode: true },
          by_lua: 'if kong.ctx.shared.callouts.c1.response.body.action == "block" then return kong.response.exit(403, {error = "blocked"}) end' } },
        { name: 'c2', request: { url: `${f.mock.url}/later` } },
      ],
    }, async (g) => {
      const blocked = await g.call('/r');
      expect(blocked.status).to.equal(403);
      expect(JSON.parse(blocked.body)).to.deep.equal({ error: 'blocked' });
      expect(f.mock.count('/later')).to.equal(0);
      expect(f.upstream.received).to.have.length(0);
      action = 'allow';
      await g.echo('/r');
      expect(f.mock.count('/later')).to.equal(1);
    });
  });

  it('RC-60 short-circuit with a string body from upstream.by_lua', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` } }],
      upstream: { by_lua: 'return kong.response.exit(201, "done", {["X-R"] = "1"})' },
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(201);
      expect(res.body).to.equal('done');
      expect(res.headers['x-r']).to.equal('1');
      expect(res.headers['content-length']).to.equal('4');
      expect(res.headers['content-type']).to.equal(undefined);
      expect(f.upstream.received).to.have.length(0);
    });
  });

  it('kong.response.exit from request.by_lua stops before the callout is sent (decision 26)', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/never`, by_lua: 'kong.response.exit(418, "teapot")' } }],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(418);
      expect(res.body).to.equal('teapot');
      expect(f.mock.received).to.have.length(0);
      expect(f.upstream.received).to.have.length(0);
    });
  });

  it('by_lua globals persist across requests in the chunk environment (decision 27)', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/n`,
        by_lua: 'counter = (counter or 0) + 1; kong.ctx.shared.callouts.c1.request.params.query = "n=" .. counter' } }],
    }, async (g) => {
      await g.echo('/r');
      await g.echo('/r');
      expect(f.mock.received.map((r) => r.url)).to.deep.equal(['/n?n=1', '/n?n=2']);
    });
  });
});
