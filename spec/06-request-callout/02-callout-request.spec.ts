// RC-32..RC-42, RC-57, RC-58: what the callout receives and what its response looks like to Lua.
import { expect } from 'chai';
import { KONG_VERSION } from '../../src/proxy/version';
import { rawValues, startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';

describe('request-callout: callout request and response context (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });
  beforeEach(() => { f.mock.received.length = 0; f.upstream.received.length = 0; });

  it('RC-32 the response is visible to response.by_lua', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` },
        response: { by_lua: 'kong.service.request.set_header("X-From-Resp", kong.ctx.shared.callouts.c1.response.status)' } }],
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-from-resp']).to.equal('200');
    });
  });

  it('RC-33 store flags off: no headers, no body, status kept', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/ok` }, response: { headers: { store: false }, body: { store: false } } }],
      upstream: { headers: { custom: { 'X-H': '$(type(callouts.c1.response.headers))', 'X-B': '$(type(callouts.c1.response.body))',
        'X-S': '$(callouts.c1.response.status)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect([echo.headers['x-h'], echo.headers['x-b'], echo.headers['x-s']]).to.deep.equal(['nil', 'nil', '200']);
    });
  });

  it('RC-34 body decode: table with decode, string without; headers looked up case-insensitively', async () => {
    f.mock.on('/json', { body: { a: 1 }, headers: { 'X-Thing': 'v1' } });
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/json` }, response: { body: { decode: true } } },
        { name: 'c2', request: { url: `${f.mock.url}/json` } },
      ],
      upstream: { headers: { custom: { 'X-1': '$(type(callouts.c1.response.body))', 'X-2': '$(type(callouts.c2.response.body))',
        'X-A': '$(callouts.c1.response.body.a)', 'X-T': '$(callouts.c1.response.headers["X-Thing"])' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect([echo.headers['x-1'], echo.headers['x-2'], echo.headers['x-a'], echo.headers['x-t']]).to.deep.equal(['table', 'string', '1', 'v1']);
    });
  });

  it('RC-35 JSON callout body from an empty client body, one Content-Type', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/b`, method: 'POST', body: { custom: { name: '$(headers.x_name)', fixed: 'v' } } } }],
    }, async (g) => {
      await g.echo('/r', { headers: { 'X-Name': 'bob' } });
      const req = f.mock.received[0];
      expect(req.method).to.equal('POST');
      expect(rawValues(req.rawHeaders, 'content-type')).to.deep.equal(['application/json']);
      expect(JSON.parse(req.body)).to.deep.equal({ name: 'bob', fixed: 'v' });
    });
  });

  it('RC-36 forward + decode + custom merge (rendered values are strings)', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/b`, method: 'POST',
        body: { forward: true, decode: true, custom: { b: 'y', c: '$(1+1)' } } } }],
    }, async (g) => {
      await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1,"b":"x"}' });
      expect(JSON.parse(f.mock.received[0].body)).to.deep.equal({ a: 1, b: 'y', c: '2' });
    });
  });

  it('RC-37 null removes a callout body field', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/b`, method: 'POST', body: { forward: true, decode: true, custom: { a: null } } } }],
    }, async (g) => {
      await g.echo('/r', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1,"b":"x"}' });
      expect(JSON.parse(f.mock.received[0].body)).to.deep.equal({ b: 'x' });
    });
  });

  it('RC-38 forwarded headers without the body do not hang the callout', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/h`, headers: { forward: true },
        http_opts: { timeouts: { connect: 2000, write: 2000, read: 2000 } } } }],
    }, async (g) => {
      const body = 'x'.repeat(1024);
      const echo = await g.echo('/r', { method: 'POST', headers: { 'Content-Length': '1024', 'X-A': '1' }, body });
      const req = f.mock.received[0];
      expect(req.body).to.equal('');
      expect(req.headers['content-length']).to.not.equal('1024');
      expect(req.headers['x-a']).to.equal('1');
      expect(echo.body).to.equal(body);
    });
  });

  it('RC-39 single Content-Type when headers.custom and body.custom both set one', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/b`, method: 'POST',
        headers: { custom: { 'content-type': 'application/json' } }, body: { custom: { x: '1' } } } }],
    }, async (g) => {
      await g.echo('/r');
      expect(rawValues(f.mock.received[0].rawHeaders, 'content-type')).to.deep.equal(['application/json']);
      expect(JSON.parse(f.mock.received[0].body)).to.deep.equal({ x: '1' });
    });
  });

  it('RC-40 User-Agent: default, custom, forwarded', async () => {
    await withGateway(f, {
      callouts: [
        { name: 'd', request: { url: `${f.mock.url}/ua-default` } },
        { name: 'c', request: { url: `${f.mock.url}/ua-custom`, headers: { custom: { 'User-Agent': 'demo' } } } },
        { name: 'f', request: { url: `${f.mock.url}/ua-forward`, headers: { forward: true } } },
      ],
    }, async (g) => {
      await g.echo('/r', { headers: { 'User-Agent': 'curl/8' } });
      const ua = (path: string): string[] => rawValues(f.mock.received.find((r) => r.path === path)!.rawHeaders, 'user-agent');
      expect(ua('/ua-default')).to.deep.equal([`kong/${KONG_VERSION}/request-callout`]);
      expect(ua('/ua-custom')).to.deep.equal(['demo']);
      expect(ua('/ua-forward')).to.deep.equal(['curl/8']);
    });
  });

  it('RC-41 configured query merges over the URL query; without query config the URL query is verbatim', async () => {
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/q1?a=1&b=2`, query: { custom: { a: '9' } } } },
        { name: 'c2', request: { url: `${f.mock.url}/q2?a=1&b=2` } },
      ],
    }, async (g) => {
      await g.echo('/r');
      const q1 = f.mock.received.find((r) => r.path === '/q1')!;
      expect(q1.query.getAll('a')).to.deep.equal(['9']);
      expect(q1.query.get('b')).to.equal('2');
      expect(f.mock.received.find((r) => r.path === '/q2')!.url).to.equal('/q2?a=1&b=2');
    });
  });

  it('RC-42 query forward, custom and null', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/q`, query: { forward: true, custom: { y: null, z: '$(query_params.x)' } } } }],
    }, async (g) => {
      await g.echo('/r?x=1&y=2');
      expect([...f.mock.received[0].query.entries()]).to.deep.equal([['x', '1'], ['z', '1']]);
    });
  });

  it('a query table is encoded in order as ngx.encode_args does: repeated names, bare flags, numbers; false skipped', async () => {
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/qf`, query: { forward: true, custom: { 'sp ace': 'a&b=c', n: '$(2+3)' } } } },
        { name: 'c2', request: { url: `${f.mock.url}/qt`, by_lua:
          'kong.ctx.shared.callouts.c2.request.params.query = { tag = { "x", "y z" }, flag = true, off = false, n = 7 }' } },
      ],
    }, async (g) => {
      await g.echo('/r?a=1&flag&a=2');
      const [forwarded, fromLua] = f.mock.received;
      expect(forwarded.url).to.equal('/qf?a=1&a=2&flag&sp%20ace=a%26b%3Dc&n=5');
      // Lua's table order is not the config's: compare the arguments as a set, each encoded once.
      expect(fromLua.url.split('?')[1].split('&').sort()).to.deep.equal(['flag', 'n=7', 'tag=x', 'tag=y%20z']);
    });
  });

  it('RC-57 a global and a raw query string set in by_lua', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/w`,
        by_lua: 'q = "srsearch=" .. ngx.escape_uri(kong.request.get_header("srsearch")) .. "&format=json"; kong.ctx.shared.callouts.c1.request.params.query = q' } }],
    }, async (g) => {
      await g.echo('/r', { headers: { srsearch: 'Miles Davis' } });
      expect(f.mock.received[0].url).to.equal('/w?srsearch=Miles%20Davis&format=json');
    });
  });

  it('a raw query string from by_lua is sent as a URL parser would encode it; a URL fragment is never sent', async () => {
    await withGateway(f, {
      callouts: [
        { name: 'c1', request: { url: `${f.mock.url}/raw`,
          by_lua: [
            'kong.ctx.shared.callouts.c1.request.params.query = "a=b c&q=\\"x\\"&t=<1>&s=it\'s&u=\\195\\169&keep=%41[x]|~"',
          ].join('\n') } },
        { name: 'c2', request: { url: `${f.mock.url}/frag?x=1#top`, query: { custom: { y: '2' } } } },
        { name: 'c3', request: { url: `${f.mock.url}/frag2?x=1#top` } },
      ],
    }, async (g) => {
      await g.echo('/r');
      const url = (path: string): string => f.mock.received.find((r) => r.path === path)!.url;
      expect(url('/raw')).to.equal('/raw?a=b%20c&q=%22x%22&t=%3C1%3E&s=it%27s&u=%C3%A9&keep=%41[x]|~');
      expect(url('/frag')).to.equal('/frag?x=1&y=2');
      expect(url('/frag2')).to.equal('/frag2?x=1');
    });
  });

  it('RC-58 dependency order and chaining: the token callout runs first', async () => {
    f.mock.on('/t', { body: { token_type: 'Bearer', access_token: 'T' } });
    await withGateway(f, {
      callouts: [
        { name: 'q', depends_on: ['t'], request: { url: `${f.mock.url}/q`,
          headers: { custom: { Authorization: '$(callouts.t.response.body.token_type) $(callouts.t.response.body.access_token)' } } } },
        { name: 't', request: { url: `${f.mock.url}/t`, method: 'POST', body: { custom: { api_key: 'k' } } }, response: { body: { decode: true } } },
      ],
    }, async (g) => {
      await g.echo('/r');
      expect(f.mock.received.map((r) => r.path)).to.deep.equal(['/t', '/q']);
      expect(JSON.parse(f.mock.received[0].body)).to.deep.equal({ api_key: 'k' });
      expect(f.mock.received[1].headers.authorization).to.equal('Bearer T');
    });
  });

  it('response.body.decode on a non-JSON body keeps the raw string and logs a warning (decision 13)', async () => {
    f.mock.on('/text', { body: 'not json' });
    await withGateway(f, {
      callouts: [{ name: 'c1', request: { url: `${f.mock.url}/text` }, response: { body: { decode: true } } }],
      upstream: { headers: { custom: { 'X-T': '$(type(callouts.c1.response.body))', 'X-B': '$(callouts.c1.response.body)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect([echo.headers['x-t'], echo.headers['x-b']]).to.deep.equal(['string', 'not json']);
      await g.gw.waitForLog(/callout c1: response body is not JSON; stored undecoded/);
    });
  });
});
