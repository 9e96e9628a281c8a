// RC-23..RC-31 (except RC-28, see 07-consumer-key.spec.ts): callout response caching in memory.
import { expect } from 'chai';
import { startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: memory cache (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });

  let serial = 0;
  const uuidCallout = (path: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    f.mock.on(path, () => ({ body: { uuid: `u-${++serial}` } }));
    return { name: 'call', request: { url: `${f.mock.url}${path}` }, response: { body: { decode: true } }, ...extra };
  };
  const upstreamUuid = { headers: { custom: { 'X-U': '$(callouts.call.response.body.uuid)' } } };

  it('RC-23 memory cache hit: one callout for two identical requests', async () => {
    await withGateway(f, { callouts: [uuidCallout('/c23')], cache: { strategy: 'memory', cache_ttl: 360 }, upstream: upstreamUuid }, async (g) => {
      const a = await g.echo('/r');
      const b = await g.echo('/r');
      expect(f.mock.count('/c23')).to.equal(1);
      expect(a.headers['x-u']).to.be.a('string').and.equal(b.headers['x-u']);
    });
  });

  it('RC-24 strategy off: every request calls out', async () => {
    await withGateway(f, { callouts: [uuidCallout('/c24')], cache: { strategy: 'off' }, upstream: upstreamUuid }, async (g) => {
      const a = await g.echo('/r');
      const b = await g.echo('/r');
      expect(f.mock.count('/c24')).to.equal(2);
      expect(a.headers['x-u']).to.not.equal(b.headers['x-u']);
    });
  });

  it('RC-25 bypass: every request calls out', async () => {
    await withGateway(f, { callouts: [uuidCallout('/c25', { cache: { bypass: true } })], cache: { strategy: 'memory' }, upstream: upstreamUuid },
      async (g) => {
        await g.echo('/r');
        await g.echo('/r');
        expect(f.mock.count('/c25')).to.equal(2);
      });
  });

  it('RC-26 TTL expiry: the entry is fetched again after cache_ttl', async () => {
    await withGateway(f, { callouts: [uuidCallout('/c26')], cache: { strategy: 'memory', cache_ttl: 1 }, upstream: upstreamUuid }, async (g) => {
      await g.echo('/r');
      await g.echo('/r');
      expect(f.mock.count('/c26')).to.equal(1);
      const deadline = Date.now() + 10_000;
      while (f.mock.count('/c26') < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        await g.echo('/r');
      }
      expect(f.mock.count('/c26')).to.equal(2);
    });
  });

  it('RC-27 cache key override set in request.by_lua applies to the lookup', async () => {
    f.mock.on('/a', { body: { v: 'A' } });
    f.mock.on('/b', { body: { v: 'B' } });
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [{ name: 'call', response: { body: { decode: true } }, request: { url: `${f.mock.url}/`,
        by_lua: `kong.ctx.shared.callouts.call.caching.cache_key = 'some_key'; kong.ctx.shared.callouts.call.request.params.url = "${f.mock.url}/" .. kong.request.get_header("x-p")` } }],
      upstream: { headers: { custom: { 'X-V': '$(callouts.call.response.body.v)' } } },
    }, async (g) => {
      const a = await g.echo('/r', { headers: { 'x-p': 'a' } });
      const b = await g.echo('/r', { headers: { 'x-p': 'b' } });
      expect(f.mock.count('/a')).to.equal(1);
      expect(f.mock.count('/b')).to.equal(0);
      expect([a.headers['x-v'], b.headers['x-v']]).to.deep.equal(['A', 'A']);
    });
  });

  it('RC-29 forwarded headers are part of the default key; unforwarded ones are not', async () => {
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [uuidCallout('/fwd', { request: { url: `${f.mock.url}/fwd`, headers: { forward: true } } }),
        { ...uuidCallout('/nofwd'), name: 'other' }],
    }, async (g) => {
      await g.echo('/r', { headers: { 'X-Foo': '1' } });
      await g.echo('/r', { headers: { 'X-Foo': '2' } });
      expect(f.mock.count('/fwd')).to.equal(2);
      expect(f.mock.count('/nofwd')).to.equal(1);
    });
  });

  it('RC-30 rendered custom values are part of the default key', async () => {
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [uuidCallout('/c30', { request: { url: `${f.mock.url}/c30`, headers: { custom: { 'X-User': '$(headers.x_user)' } } } })],
    }, async (g) => {
      for (const user of ['u1', 'u2', 'u1']) await g.echo('/r', { headers: { 'X-User': user } });
      expect(f.mock.received.filter((r) => r.path === '/c30').map((r) => r.headers['x-user'])).to.deep.equal(['u1', 'u2']);
    });
  });

  it('RC-31 caching tweaks stay per callout', async () => {
    f.mock.on('/ka', { body: { v: 'A' } });
    f.mock.on('/kb', { body: { v: 'B' } });
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [
        { name: 'a', request: { url: `${f.mock.url}/ka`, by_lua: "kong.ctx.shared.callouts.a.caching.cache_key = 'k1'" }, response: { body: { decode: true } } },
        { name: 'b', request: { url: `${f.mock.url}/kb` }, response: { body: { decode: true } } },
      ],
      upstream: { headers: { custom: { 'X-A': '$(callouts.a.response.body.v)', 'X-B': '$(callouts.b.response.body.v)' } } },
    }, async (g) => {
      await g.echo('/r');
      const second = await g.echo('/r');
      expect([f.mock.count('/ka'), f.mock.count('/kb')]).to.deep.equal([1, 1]);
      expect([second.headers['x-a'], second.headers['x-b']]).to.deep.equal(['A', 'B']);
    });
  });

  it('a request.by_lua that never reads kong.ctx.shared sends the configured params and caches under the default key', async () => {
    f.mock.on('/quiet', () => ({ body: { uuid: `q-${++serial}` } }));
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [{
        name: 'call',
        request: {
          url: `${f.mock.url}/quiet`, by_lua: 'local seen = kong.request.get_header("x-user")',
          headers: { custom: { 'X-Asked-By': '$(headers.x_user)' } }, query: { custom: { plan: 'gold' } },
        },
        response: { body: { decode: true } },
      }],
      upstream: upstreamUuid,
    }, async (g) => {
      const first = await g.echo('/r', { headers: { 'X-User': 'ann' } });
      const second = await g.echo('/r', { headers: { 'X-User': 'ann' } });
      const sent = f.mock.received.filter((r) => r.path === '/quiet');
      expect(sent).to.have.length(1);
      expect(sent[0].headers['x-asked-by']).to.equal('ann');
      expect(sent[0].query.get('plan')).to.equal('gold');
      expect(second.headers['x-u']).to.equal(first.headers['x-u']);
    });
  });

  it('error responses are never cached (decision 9)', async () => {
    f.mock.on('/err', [{ status: 500, body: 'x' }, { status: 200, body: { uuid: 'ok' } }]);
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [{ name: 'call', request: { url: `${f.mock.url}/err`, error: { on_error: 'continue', http_statuses: [500] } },
        response: { body: { decode: true } } }],
      upstream: { headers: { custom: { 'X-S': '$(callouts.call.response.status)' } } },
    }, async (g) => {
      const first = await g.echo('/r');
      const second = await g.echo('/r');
      const third = await g.echo('/r');
      expect([first.headers['x-s'], second.headers['x-s'], third.headers['x-s']]).to.deep.equal(['500', '200', '200']);
      expect(f.mock.count('/err')).to.equal(2);
    });
  });
  it('callout response header fields are the same on a miss and on a hit (repeated fields as arrays)', async () => {
    f.mock.on('/hdr', () => ({ body: { uuid: `u-${++serial}` }, headers: { 'X-Thing': 'one', 'Set-Cookie': ['a=1', 'b=2'] } }));
    await withGateway(f, {
      cache: { strategy: 'memory' },
      callouts: [{ name: 'call', request: { url: `${f.mock.url}/hdr` }, response: { body: { decode: true } } }],
      upstream: {
        headers: { custom: { 'X-T': '$(callouts.call.response.headers["X-Thing"])' } },
        by_lua: 'local h = kong.ctx.shared.callouts.call.response.headers; '
          + 'kong.service.request.set_header("X-C", table.concat(h["set-cookie"], ";") .. "|" .. type(h.thing))',
      },
    }, async (g) => {
      const miss = await g.echo('/r');
      const hit = await g.echo('/r');
      expect(f.mock.count('/hdr')).to.equal(1);
      for (const answer of [miss, hit]) {
        expect(answer.headers['x-t']).to.equal('one');
        expect(answer.headers['x-c']).to.equal('a=1;b=2|nil');
      }
    });
  });
});
