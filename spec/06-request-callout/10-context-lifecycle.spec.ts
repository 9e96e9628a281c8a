// kong.ctx.shared.callouts.<name> as snippets see it while the plugin keeps writing entries: held
// in JS, and once Lua asks for kong.ctx.shared, lazy tables (shared, callouts, each entry) the
// plugin writes into until a snippet touches the key. Whatever the order, every snippet and
// template must see what Kong would show.
import { expect } from 'chai';
import { startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: the callouts context across JS and Lua writes (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });

  it('a response read before it exists is nil, and is there once the callout has run', async () => {
    f.mock.on('/one', { body: { token: 't1', nothing: null } });
    f.mock.on('/two', (_req, count) => (count === 1 ? { status: 503, body: 'busy' } : { body: { v: 2 } }));
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/one` }, response: { body: { decode: true } } },
        { name: 'c2', request: {
          url: `${f.mock.url}/two`,
          error: { on_error: 'retry', http_statuses: [503], retries: 2, error_response_code: 500, error_response_msg: 'x' },
          by_lua: 'local c = kong.ctx.shared.callouts ' +
            'kong.ctx.shared.before = tostring(c.c2.response) .. "/" .. c.c2.request.n_retries .. "/" .. c.c1.response.body.token',
        }, response: { body: { decode: true } } },
      ],
      upstream: {
        headers: { custom: { 'X-Template': '$(callouts.c2.response.body.v)-$(callouts.c2.request.n_retries)' } },
        by_lua: 'local c = kong.ctx.shared.callouts ' +
          'kong.service.request.set_header("X-Before", kong.ctx.shared.before) ' +
          'kong.service.request.set_header("X-After", c.c2.response.status .. "/" .. c.c2.request.n_retries .. "/" .. ' +
          'c.c2.request.retries[1].http_code .. "/" .. c.c2.response.body.v) ' +
          'kong.service.request.set_header("X-Null", tostring(c.c1.response.body.nothing == ngx.null)) ' +
          'kong.service.request.set_header("X-Type", c.c1.response.headers["Content-Type"])',
      },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-before']).to.equal('nil/0/t1');
      expect(echo.headers['x-after']).to.equal('200/1/503/2');
      expect(echo.headers['x-template']).to.equal('2-1');
      expect(echo.headers['x-null']).to.equal('true');
      expect(echo.headers['x-type']).to.match(/^application\/json/);
    });
  });

  it('pairs over an entry and its params sees every field; edits made by a snippet reach the callout', async () => {
    f.mock.on('/p', (req) => ({ body: { seen: req.headers['x-edit'] ?? 'none' } }));
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/p`, method: 'GET',
        by_lua: 'local e = kong.ctx.shared.callouts.c1 local keys = {} ' +
          'for k in pairs(e) do keys[#keys + 1] = k end for k in pairs(e.request.params) do keys[#keys + 1] = "p." .. k end ' +
          'table.sort(keys) kong.ctx.shared.keys = table.concat(keys, ",") ' +
          'e.request.params.headers["X-Edit"] = "from-lua"' },
      response: { body: { decode: true } } }],
      upstream: { by_lua: 'kong.service.request.set_header("X-Keys", kong.ctx.shared.keys) ' +
        'kong.service.request.set_header("X-Seen", kong.ctx.shared.callouts.c1.response.body.seen)' },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-seen']).to.equal('from-lua');
      const keys = String(echo.headers['x-keys']).split(',');
      expect(keys).to.include.members(['caching', 'request', 'p.url', 'p.method', 'p.headers']);
    });
  });
  it("a snippet's edits to the params of a callout built the same for every request stay in that request", async () => {
    f.mock.on('/static', (req) => ({ body: { got: req.headers['x-a'] ?? 'none', q: req.url ?? '' } }));
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url: `${f.mock.url}/static`, headers: { custom: { 'X-A': 'original' } },
        query: { custom: { k: 'v' } } }, response: { body: { decode: true } } }],
      upstream: { by_lua: 'local p = kong.ctx.shared.callouts.c.request.params '
        + 'kong.service.request.set_header("X-Before", p.headers["X-A"] .. "|" .. p.query.k) '
        + 'p.headers["X-A"] = "changed" p.query.k = "w" '
        + 'kong.service.request.set_header("X-Got", kong.ctx.shared.callouts.c.response.body.got)' },
    }, async (g) => {
      for (let i = 0; i < 3; i++) {
        const echo = await g.echo('/r');
        expect(echo.headers['x-before'], `request ${i + 1}`).to.equal('original|v');
        expect(echo.headers['x-got'], `request ${i + 1}`).to.equal('original');
      }
      expect(f.mock.received.filter((r) => r.path === '/static').map((r) => r.query.get('k'))).to.deep.equal(['v', 'v', 'v']);
    });
  });
  it('entries that no snippet touched yet stay consistent after Lua took kong.ctx.shared (retries, cache, pairs)', async () => {
    f.mock.on('/e1', { body: { a: 1 } });
    f.mock.on('/e2', (_req, count) => (count === 1 ? { status: 503, body: 'busy' } : { body: { v: `v${count}` } }));
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/e1`, by_lua: 'kong.ctx.shared.first = tostring(kong.ctx.shared.callouts.c1 ~= nil)' },
          response: { body: { decode: true } }, cache: { bypass: true } },
        { name: 'c2', depends_on: ['c1'], request: { url: `${f.mock.url}/e2`, by_lua: 'kong.ctx.shared.mark = "x"',
          error: { on_error: 'retry', http_statuses: [503], retries: 1, error_response_code: 500, error_response_msg: 'x' } },
        response: { body: { decode: true } } },
      ],
      upstream: { by_lua: 'local names = {} for k in pairs(kong.ctx.shared.callouts) do names[#names + 1] = k end table.sort(names) '
        + 'local c2 = kong.ctx.shared.callouts.c2 '
        + 'kong.service.request.set_header("X-E", kong.ctx.shared.first .. "|" .. table.concat(names, ",") .. "|" .. '
        + 'c2.response.body.v .. "|" .. c2.request.n_retries .. "|" .. tostring(c2.response.status))' },
    }, async (g) => {
      const first = await g.echo('/r');
      const second = await g.echo('/r');
      expect(first.headers['x-e']).to.equal('true|c1,c2|v2|1|200');
      // c2 served from the cache: same answer, no retry this time, no third call to /e2.
      expect(second.headers['x-e']).to.equal('true|c1,c2|v2|0|200');
      expect(f.mock.count('/e2')).to.equal(2);
      expect(f.mock.count('/e1')).to.equal(2);
    });
  });

  it('snippets that touch kong.ctx.shared but not callouts: entries added afterwards are all there, cached as edited', async () => {
    f.mock.on('/s1', { body: { a: 1 } });
    f.mock.on('/s2', (_req, count) => ({ body: { v: `v${count}` } }));
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [
        { name: 's1', request: { url: `${f.mock.url}/s1`, by_lua: 'kong.ctx.shared.n = 1' }, response: { body: { decode: true } },
          cache: { bypass: true } },
        { name: 's2', depends_on: ['s1'], request: { url: `${f.mock.url}/s2` },
          response: { body: { decode: true }, by_lua: 'kong.ctx.shared.n = kong.ctx.shared.n + 1' } },
      ],
      upstream: {
        headers: { custom: { 'X-T': '$(callouts.s2.response.body.v)-$(shared.n)' } },
        by_lua: 'local keys = {} for k in pairs(kong.ctx.shared) do keys[#keys + 1] = k end table.sort(keys) '
          + 'local names = {} for k in pairs(kong.ctx.shared.callouts) do names[#names + 1] = k end table.sort(names) '
          + 'kong.service.request.set_header("X-E", table.concat(keys, ",") .. "|" .. table.concat(names, ",") .. "|" .. '
          + 'kong.ctx.shared.callouts.s2.response.body.v .. "|" .. kong.ctx.shared.callouts.s1.response.body.a)',
      },
    }, async (g) => {
      const first = await g.echo('/r');
      const second = await g.echo('/r');
      expect(first.headers['x-e']).to.equal('callouts,n|s1,s2|v1|1');
      expect(first.headers['x-t']).to.equal('v1-2');
      expect(second.headers['x-e']).to.equal('callouts,n|s1,s2|v1|1');
      expect(f.mock.count('/s2')).to.equal(1);
    });
  });

  it('a snippet that replaces kong.ctx.shared.callouts gets the later entries in its own table', async () => {
    f.mock.on('/k1', { body: { a: 1 } });
    f.mock.on('/k2', { body: { b: 2 } });
    await withGateway(f, {
      callouts: [
        { name: 'k1', request: { url: `${f.mock.url}/k1`, by_lua: 'kong.ctx.shared.callouts = { mine = "yes" }' },
          response: { body: { decode: true } } },
        { name: 'k2', depends_on: ['k1'], request: { url: `${f.mock.url}/k2` }, response: { body: { decode: true } } },
      ],
      upstream: {
        by_lua: 'local names = {} for k in pairs(kong.ctx.shared.callouts) do names[#names + 1] = k end table.sort(names) '
          + 'kong.service.request.set_header("X-E", table.concat(names, ",") .. "|" .. kong.ctx.shared.callouts.mine .. "|" .. '
          + 'kong.ctx.shared.callouts.k2.response.body.b .. "|" .. tostring(kong.ctx.shared.callouts.k1))',
      },
    }, async (g) => {
      const echo = await g.echo('/r');
      // k1's own entry went with the table the snippet dropped; k2 was added to the snippet's table.
      expect(echo.headers['x-e']).to.equal('k2,mine|yes|2|nil');
    });
  });

  it("an entry's retries encode as Kong's table does: {} before any retry, a list after", async () => {
    f.mock.on('/once', (_req, count) => (count === 1 ? { status: 503, body: 'busy' } : { body: { ok: true } }));
    f.mock.on('/calm', { body: { ok: true } });
    await withGateway(f, {
      callouts: [
        { name: 'r', request: { url: `${f.mock.url}/once`,
          error: { on_error: 'retry', http_statuses: [503], retries: 1, error_response_code: 500, error_response_msg: 'x' } } },
        { name: 'q', request: { url: `${f.mock.url}/calm` } },
      ],
      upstream: { by_lua: 'local cjson = require("cjson") local c = kong.ctx.shared.callouts '
        + 'kong.service.request.set_header("X-R", cjson.encode(c.r.request.retries)) '
        + 'kong.service.request.set_header("X-Q", cjson.encode(c.q.request.retries))' },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-q']).to.equal('{}');
      expect(JSON.parse(String(echo.headers['x-r']))).to.deep.equal([{ reason: 'code', err: 'status 503 is listed in http_statuses', http_code: 503 }]);
    }, { env: { KONG_UNTRUSTED_LUA_SANDBOX_REQUIRES: 'cjson' } });
  });
});
