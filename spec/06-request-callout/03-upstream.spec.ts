// RC-43..RC-52: the upstream step (forward flags, custom values, templates).
import { expect } from 'chai';
import { rawValues, startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: upstream step (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });
  const oneCallout = (): Record<string, unknown> => ({ name: 'c1', request: { url: `${f.mock.url}/ok` } });

  it('RC-43 upstream body untouched without custom: text and JSON byte-identical', async () => {
    await withGateway(f, { callouts: [oneCallout()] }, async (g) => {
      const text = await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
      expect(text.body).to.equal('hello');
      expect(text.headers['content-type']).to.equal('text/plain');
      const json = '{ "b" : 2,"a":1 }';
      const echoed = await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json });
      expect(echoed.body).to.equal(json);
    });
  });

  it('RC-44 upstream.body.forward false: empty upstream body', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { body: { forward: false } } }, async (g) => {
      const echo = await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
      expect(echo.body).to.equal('');
    });
  });

  it('RC-45 upstream JSON body from an empty client body', async () => {
    f.mock.on('/tok', { body: { token: 'abc' } });
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/tok` }, response: { body: { decode: true } } }],
      upstream: { body: { custom: { token: '$(callouts.c1.response.body.token)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(JSON.parse(echo.body)).to.deep.equal({ token: 'abc' });
      expect(echo.headers['content-type']).to.equal('application/json');
    });
  });

  it('RC-46 upstream body merge and null', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { body: { custom: { secret: null, b: 'x' } } } }, async (g) => {
      const echo = await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1,"secret":"s"}' });
      expect(JSON.parse(echo.body)).to.deep.equal({ a: 1, b: 'x' });
    });
  });

  it('RC-47 upstream header clearing keeps values rendered from the client headers (3.13)', async () => {
    await withGateway(f, {
      callouts: [oneCallout()],
      upstream: { headers: { forward: false, custom: { 'X-A': '$(headers.x_a)' } } },
    }, async (g) => {
      const echo = await g.echo('/r', { headers: { 'X-A': '1', 'X-B': '2', 'Content-Type': 'application/json' } });
      expect(echo.headers['x-b']).to.equal(undefined);
      expect(echo.headers['content-type']).to.equal(undefined);
      expect(echo.headers['x-a']).to.equal('1');
    });
  });

  it('RC-48 upstream query forward false with a custom arg', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { query: { forward: false, custom: { c: '3' } } } }, async (g) => {
      const echo = await g.echo('/r?a=1&b=2');
      expect(echo.url).to.equal('/?c=3');
    });
  });

  it('RC-49 upstream header removal by null', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { headers: { custom: { Authorization: null } } } }, async (g) => {
      const echo = await g.echo('/r', { headers: { Authorization: 'Basic eA==' } });
      expect(echo.headers.authorization).to.equal(undefined);
    });
  });

  it('RC-50 template shortcuts: uri_captures, query_params, headers', async () => {
    await withGateway(f, {
      callouts: [oneCallout()],
      upstream: { headers: { custom: { 'X-Uid': '$(uri_captures.uid)', 'X-Lang': '$(query_params.lang)', 'X-T': '$(headers.x_trace)',
        'X-T2': '$(headers["X-Trace"])' } } },
    }, async (g) => {
      const echo = await g.echo('/users/42?lang=en', { headers: { 'X-Trace': 't1' } });
      expect([echo.headers['x-uid'], echo.headers['x-lang'], echo.headers['x-t'], echo.headers['x-t2']]).to.deep.equal(['42', 'en', 't1', 't1']);
    }, { paths: ['~/users/(?<uid>\\d+)$'] });
  });

  it('RC-51 value conversion of rendered values', async () => {
    await withGateway(f, {
      callouts: [oneCallout()],
      upstream: { headers: { custom: { 'X-Nil': 'a$(headers.missing)b', 'X-Num': '$(callouts.c1.response.status)', 'X-True': '$(1 == 1)',
        'X-False': '[$(1 == 2)]', 'X-Float': '$(1/4)', 'X-Int': '$(10/2)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(['x-nil', 'x-num', 'x-true', 'x-false', 'x-float', 'x-int'].map((h) => echo.headers[h]))
        .to.deep.equal(['ab', '200', 'true', '[]', '0.25', '5']);
    });
  });

  it('RC-52 a literal $( via a quoted expression', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { headers: { custom: { 'X-Lit': "$('$(headers.x)')" } } } }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-lit']).to.equal('$(headers.x)');
    });
  });

  it('custom upstream header replaces a client header of another case (decision 24)', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { headers: { custom: { 'x-thing': 'new' } } } }, async (g) => {
      const echo = await g.echo('/r', { headers: { 'X-Thing': 'old' } });
      expect(rawValues(echo.rawHeaders, 'x-thing')).to.deep.equal(['new']);
    });
  });

  it('a template that would wait on the host (an unread client body) answers 500 and logs the field it sits in', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/wait`, headers: { custom: { 'X-Body': '$(kong.request.get_raw_body())' } } } }],
    }, async (g) => {
      const res = await g.call('/r', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' });
      expect(res.status).to.equal(500);
      expect(f.mock.received).to.have.length(0);
      expect(f.upstream.received).to.have.length(0);
      await g.gw.waitForLog(/callouts\[1\]\.request\.headers\.custom\.X-Body: .*the request body is not available here/);
    });
  });

  it('non-JSON upstream body with body.custom is left unchanged and a warning is logged (decision 13)', async () => {
    await withGateway(f, { callouts: [oneCallout()], upstream: { body: { custom: { a: 'b' } } } }, async (g) => {
      const echo = await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'plain text' });
      expect(echo.body).to.equal('plain text');
      await g.gw.waitForLog(/upstream\.body: request body is not a JSON object/);
    });
  });
});
