// RC-10..RC-22: callout requests, error policy, through `luagate start`.
import { expect } from 'chai';
import { KONG_VERSION } from '../../src/proxy/version';
import { closedPort } from '../helpers/servers';
import { rawValues, startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: callouts (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });

  it('RC-10 token insertion: forwarded query to the callout, Bearer token upstream', async () => {
    f.mock.on('/token', { body: { token: 'abc' } });
    await withGateway(f, {
      callouts: [{ name: 'auth1', request: { url: `${f.mock.url}/token`, method: 'GET', query: { forward: true } },
        response: { body: { store: true, decode: true } } }],
      upstream: { headers: { custom: { Authorization: 'Bearer $(callouts.auth1.response.body.token)' } } },
    }, async (g) => {
      const echo = await g.echo('/r?user=alice', { headers: { 'X-Client': 'c1' } });
      const callout = f.mock.received.find((r) => r.path === '/token')!;
      expect(callout.method).to.equal('GET');
      expect(callout.url).to.equal('/token?user=alice');
      expect(callout.headers['user-agent']).to.equal(`kong/${KONG_VERSION}/request-callout`);
      expect(callout.headers['x-client']).to.equal(undefined);
      expect(echo.url).to.equal('/?user=alice');
      expect(echo.headers['x-client']).to.equal('c1');
      expect(echo.headers.authorization).to.equal('Bearer abc');
    });
  });

  it('RC-11 aggregated response built in upstream.by_lua, upstream not contacted, callouts in order', async () => {
    f.mock.on('/uuid', { body: { uuid: 'u-1' } });
    f.mock.on('/anything', { body: { url: 'http://callout.test/anything' } });
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/uuid` }, response: { body: { decode: true } } },
        { name: 'c2', request: { url: `${f.mock.url}/anything` }, response: { body: { decode: true } } },
      ],
      upstream: { by_lua: 'kong.response.exit(200, { uuid = kong.ctx.shared.callouts.c1.response.body.uuid, origin = kong.ctx.shared.callouts.c2.response.body.url })' },
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(JSON.parse(res.body)).to.deep.equal({ uuid: 'u-1', origin: 'http://callout.test/anything' });
      expect(f.upstream.received).to.have.length(0);
      expect(f.mock.received.map((r) => r.path)).to.deep.equal(['/uuid', '/anything']);
    });
  });

  it('RC-12 URL rewritten in request.by_lua', async () => {
    await withGateway(f, {
      callouts: [{ name: 'call', request: { url: `${f.mock.url}/`,
        by_lua: `kong.ctx.shared.callouts.call.request.params.url = "${f.mock.url}/" .. (kong.request.get_header("x-custom-header") or "")` } }],
    }, async (g) => {
      await g.echo('/r', { headers: { 'x-custom-header': 'status/201' } });
      await g.echo('/r');
      expect(f.mock.received.map((r) => `${r.method} ${r.url}`)).to.deep.equal(['GET /status/201', 'GET /']);
    });
  });

  it('RC-13 URL expression from a client header', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: "$(kong.request.get_header('x-custom-url'))" } }],
    }, async (g) => {
      const echo = await g.echo('/r', { headers: { 'x-custom-url': `${f.mock.url}/a?k=v` } });
      expect(f.mock.received.map((r) => `${r.method} ${r.url}`)).to.deep.equal(['GET /a?k=v']);
      expect(echo.url).to.equal('/');
    });
  });

  it('RC-14 URL expression rendering an invalid URL: 500, logged, nothing contacted', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: "$(kong.request.get_header('x-custom-url'))" } }],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(500);
      expect(JSON.parse(res.body)).to.deep.equal({ message: 'An unexpected error occurred' });
      expect(f.mock.received).to.have.length(0);
      expect(f.upstream.received).to.have.length(0);
      await g.gw.waitForLog(/request-callout: callouts\[1\]\.request\.url: invalid callout URL ""/);
    });
  });

  it('RC-15 form body built in by_lua with a vault secret', async () => {
    await withGateway(f, {
      callouts: [{ name: 'auth', request: { url: `${f.mock.url}/form`,
        by_lua: 'kong.ctx.shared.callouts.auth.request.params.body = ngx.encode_args({grant_type="client_credentials",client_id="myclientid",scope="scope",client_secret=kong.vault.get("{vault://env/TEST_SECRET}")})' } }],
    }, async (g) => {
      await g.echo('/r');
      const req = f.mock.received[0];
      expect(req.method).to.equal('GET');
      expect(Object.fromEntries(new URLSearchParams(req.body))).to.deep.equal({
        grant_type: 'client_credentials', client_id: 'myclientid', scope: 'scope', client_secret: 's3cr3t',
      });
      expect(req.headers['content-type']).to.equal(undefined);
    }, { env: { TEST_SECRET: 's3cr3t' } });
  });

  const retryError = { on_error: 'retry', http_statuses: [500, 502, 503], retries: 3, error_response_code: 500, error_response_msg: 'internal server error' };

  it('RC-16 retry exhausted: 4 attempts, 500 internal server error', async () => {
    f.mock.on('/flaky', { status: 503, body: 'down' });
    await withGateway(f, {
      callouts: [{ name: 'auth1', request: { url: `${f.mock.url}/flaky`, error: retryError } }],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(500);
      expect(res.body).to.equal('internal server error');
      expect(res.headers['content-type']).to.equal(undefined);
      expect(f.mock.count('/flaky')).to.equal(4);
      expect(f.upstream.received).to.have.length(0);
    });
  });

  it('RC-17 retry then success: retries recorded in the context', async () => {
    f.mock.on('/flaky2', [{ status: 503, body: 'down' }, { status: 200, body: { ok: true } }]);
    await withGateway(f, {
      callouts: [{ name: 'auth1', request: { url: `${f.mock.url}/flaky2`, error: retryError } }],
      upstream: { headers: { custom: { 'X-N': '$(callouts.auth1.request.n_retries)', 'X-R': '$(callouts.auth1.request.retries[1].reason)',
        'X-C': '$(callouts.auth1.request.retries[1].http_code)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(f.mock.count('/flaky2')).to.equal(2);
      expect([echo.headers['x-n'], echo.headers['x-r'], echo.headers['x-c']]).to.deep.equal(['1', 'code', '503']);
    });
  });

  it('RC-18 listed status with the default fail policy: 400 service callout error', async () => {
    f.mock.on('/deny', { status: 401, body: 'no' });
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/deny`, error: { http_statuses: [401] } } }],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(400);
      expect(res.body).to.contain('service callout error');
      expect(f.mock.count('/deny')).to.equal(1);
      expect(f.upstream.received).to.have.length(0);
    });
  });

  it('RC-19 an unlisted status is not an error', async () => {
    f.mock.on('/missing', { status: 404, body: 'nope' });
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/missing` } }],
      upstream: { headers: { custom: { 'X-S': '$(callouts.c1.response.status)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('404');
    });
  });

  it('RC-20 transport error with fail: 400 service callout error', async () => {
    const port = await closedPort();
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `http://127.0.0.1:${port}/` } }],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(400);
      expect(res.body).to.equal('service callout error');
      expect(f.upstream.received).to.have.length(0);
    });
  });

  it('RC-21 transport error with continue: upstream contacted, no response in the context', async () => {
    const port = await closedPort();
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `http://127.0.0.1:${port}/`, error: { on_error: 'continue' } } }],
      upstream: { headers: { custom: { 'X-S': '$(callouts.c1.response and callouts.c1.response.status or "none")' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('none');
    });
  });

  it('RC-22 templated error message reads the client headers', async () => {
    f.mock.on('/forbidden', { status: 403, body: 'no' });
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/forbidden`,
        error: { http_statuses: [403], error_response_msg: 'denied for $(headers.x_user)' } } }],
    }, async (g) => {
      const res = await g.call('/r', { headers: { 'X-User': 'bob' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.equal('denied for bob');
    });
  });

  it('RC-61 one info log line per callout: URL, status and latency', async () => {
    f.mock.on('/token', { body: { token: 'abc' } });
    await withGateway(f, {
      callouts: [{ name: 'auth1', request: { url: `${f.mock.url}/token` } }],
    }, async (g) => {
      await g.echo('/r');
      const line = await g.gw.waitForLog(/callout auth1 GET /);
      expect(line).to.contain('[info]');
      expect(line).to.contain(`${f.mock.url}/token`);
      expect(line).to.match(/status=200 latency=\d+ms/);
    });
  });

  it('callout request carries exactly one User-Agent', async () => {
    await withGateway(f, { callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ua` } }] }, async (g) => {
      await g.echo('/r', { headers: { 'User-Agent': 'curl/8' } });
      expect(rawValues(f.mock.received[0].rawHeaders, 'user-agent')).to.deep.equal([`kong/${KONG_VERSION}/request-callout`]);
    });
  });
});
