// Isolation under load (200 concurrent requests through one luagate process) and the luagate
// extension callout_concurrency = parallel.
import { expect } from 'chai';
import { startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: concurrency (luagate start)', function () {
  this.timeout(60_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });

  it('200 concurrent requests with different inputs never see each other\'s callouts or kong.ctx', async () => {
    // Replies are held until every request has reached the mock, so all 200 are in flight together.
    const N = 200;
    let release: () => void = () => undefined;
    const allArrived = new Promise<void>((r) => { release = r; });
    f.mock.on('/who', (req, n) => {
      if (n === N) release();
      return allArrived.then(() => ({ body: { id: req.query.get('id'), via: req.headers['x-id'] } }));
    });
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url: `${f.mock.url}/who`, query: { custom: { id: '$(headers.x_id)' } },
        headers: { custom: { 'X-Id': '$(headers.x_id)' } },
        by_lua: 'kong.ctx.shared.mine = kong.request.get_header("x-id")' },
      response: { body: { decode: true }, by_lua: 'kong.ctx.shared.seen = kong.ctx.shared.callouts.c.response.body.id' } }],
      upstream: { headers: { custom: { 'X-Got': '$(callouts.c.response.body.id)', 'X-Via': '$(callouts.c.response.body.via)',
        'X-Mine': '$(shared.mine)', 'X-Seen': '$(shared.seen)' } },
      by_lua: 'kong.service.request.set_header("X-Lua", kong.ctx.shared.callouts.c.response.body.id .. "/" .. kong.ctx.shared.mine)' },
    }, async (g) => {
      const ids = Array.from({ length: N }, (_, i) => `req-${i}`);
      const echoes = await Promise.all(ids.map((id) => g.echo(`/r?id=${id}`, { headers: { 'X-Id': id } })));
      echoes.forEach((echo, i) => {
        const id = ids[i];
        expect(echo.url).to.equal(`/?id=${id}`);
        expect([echo.headers['x-got'], echo.headers['x-via'], echo.headers['x-mine'], echo.headers['x-seen'], echo.headers['x-lua']])
          .to.deep.equal([id, id, id, id, `${id}/${id}`]);
      });
      expect(f.mock.count('/who')).to.equal(N);
    });
  });

  it('callout_concurrency = parallel runs independent callouts together and keeps dependency order', async () => {
    // /a only answers once /b has arrived: sequential execution would never get there.
    f.mock.on('/a', () => f.mock.waitFor('/b', 1).then(() => ({ body: { v: 'A' } })));
    f.mock.on('/b', { body: { v: 'B' } });
    f.mock.on('/c', (req) => ({ body: { v: `C(${req.headers['x-a']},${req.headers['x-b']})` } }));
    await withGateway(f, {
      callouts: [
        { name: 'a', request: { url: `${f.mock.url}/a` }, response: { body: { decode: true } } },
        { name: 'b', request: { url: `${f.mock.url}/b` }, response: { body: { decode: true } } },
        { name: 'c', depends_on: ['a', 'b'], request: { url: `${f.mock.url}/c`,
          headers: { custom: { 'X-A': '$(callouts.a.response.body.v)', 'X-B': '$(callouts.b.response.body.v)' } } },
        response: { body: { decode: true } } },
      ],
      upstream: { headers: { custom: { 'X-C': '$(callouts.c.response.body.v)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-c']).to.equal('C(A,B)');
      expect(f.mock.received.map((r) => r.path).slice(-1)).to.deep.equal(['/c']);
    }, { env: { LUAGATE_CALLOUT_CONCURRENCY: 'parallel' } });
  });

  it('parallel mode: a failing callout answers the client once, nothing after it starts', async () => {
    f.mock.on('/p-fail', { status: 500, body: 'x' });
    f.mock.on('/p-ok', { body: {} });
    await withGateway(f, {
      callouts: [
        { name: 'x', request: { url: `${f.mock.url}/p-fail`, error: { http_statuses: [500], error_response_code: 502, error_response_msg: 'x failed' } } },
        { name: 'y', request: { url: `${f.mock.url}/p-ok` } },
        { name: 'z', depends_on: ['x'], request: { url: `${f.mock.url}/p-never` } },
      ],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(502);
      expect(res.body).to.equal('x failed');
      expect(f.mock.count('/p-never')).to.equal(0);
      expect(f.upstream.received).to.have.length(0);
    }, { env: { LUAGATE_CALLOUT_CONCURRENCY: 'parallel' } });
  });
});
