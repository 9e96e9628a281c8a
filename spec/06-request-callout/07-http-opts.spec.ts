// http_opts end to end: TLS verification with lua_ssl_trusted_certificate, SNI, forward proxies
// with basic auth, read and write timeouts.
import { expect } from 'chai';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy';
import { startServer, trickle, type TestServer } from '../helpers/servers';
import { startCalloutMock, type CalloutMock } from './support/callout-mock';
import { startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';
import { makeCertificates, type TestCertificates } from './support/tls';

describe('request-callout: http_opts (luagate start)', function () {
  this.timeout(30_000);
  let f: Fixtures;
  let certs: TestCertificates;
  let tlsMock: CalloutMock;
  let proxy: ForwardProxy;
  let hanging: TestServer;
  let trickling: TestServer;
  let notReading: Server;
  const notReadingSockets: Socket[] = [];
  before(async () => {
    f = await startFixtures();
    certs = makeCertificates();
    tlsMock = await startCalloutMock({ key: certs.key, cert: certs.cert });
    tlsMock.on('/secure', { body: { secure: true } });
    proxy = await startForwardProxy({ auth: { user: 'pu', password: 'pp' } });
    hanging = await startServer(() => undefined);
    // 12 chunks of 10 bytes, 60 ms apart: 0.7 s in all, never 300 ms without a byte.
    trickling = await startServer((_req, res) => trickle(res, 12, 10, 60));
    notReading = createServer((socket) => {
      socket.pause();
      notReadingSockets.push(socket);
    });
    await new Promise<void>((resolve) => notReading.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const socket of notReadingSockets) socket.destroy();
    await new Promise<void>((resolve) => notReading.close(() => resolve()));
    await Promise.all([tlsMock.close(), proxy.close(), hanging.close(), trickling.close()]);
    await stopFixtures(f);
  });
  beforeEach(() => { tlsMock.received.length = 0; proxy.records.length = 0; f.upstream.received.length = 0; f.mock.received.length = 0; });

  const statusHeader = { headers: { custom: { 'X-S': '$(callouts.c.response.status)' } } };

  it('ssl_verify true with the test CA in lua_ssl_trusted_certificate: verified callout succeeds', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url: `${tlsMock.url}/secure`, http_opts: { ssl_verify: true } } }],
      upstream: statusHeader,
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('200');
      expect(tlsMock.count('/secure')).to.equal(1);
    }, { env: { KONG_LUA_SSL_TRUSTED_CERTIFICATE: certs.caFile } });
  });

  it('ssl_verify true without the CA: TLS failure is a transport error (fail → 400)', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url: `${tlsMock.url}/secure`, http_opts: { ssl_verify: true } } }],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(400);
      expect(res.body).to.equal('service callout error');
      expect(tlsMock.count('/secure')).to.equal(0);
      await g.gw.waitForLog(/callout c GET .* error="handshake failed/);
    });
  });

  it('request.by_lua changing params.ssl_verify gets a dispatcher with that option; untouched params keep the configured one', async () => {
    await withGateway(f, {
      callouts: [
        { name: 'plain', request: { url: `${tlsMock.url}/plain`, by_lua: 'local p = kong.ctx.shared.callouts.plain.request.params; p.headers = {x = "1"}' } },
        { name: 'strict', depends_on: ['plain'], request: { url: `${tlsMock.url}/strict`,
          by_lua: 'kong.ctx.shared.callouts.strict.request.params.ssl_verify = true' } },
      ],
    }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(400);
      expect(tlsMock.count('/plain')).to.equal(1);
      expect(tlsMock.count('/strict')).to.equal(0);
      await g.gw.waitForLog(/callout strict GET .* error="handshake failed/);
    });
  });

  it('ssl_verify false (3.12 default) accepts the self-signed chain; ssl_server_name sets SNI', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url: `${tlsMock.url}/secure`, http_opts: { ssl_server_name: 'callout.test' } } }],
      upstream: statusHeader,
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('200');
      expect(tlsMock.received[0].servername).to.equal('callout.test');
    });
  });

  const proxied = (password: string, target: string): Record<string, unknown> => ({
    name: 'c',
    request: { url: target, http_opts: { proxy: { http_proxy: proxy.url, https_proxy: proxy.url, auth_username: 'pu', auth_password: password } } },
  });

  it('http_proxy with basic auth: the callout goes through the forward proxy', async () => {
    await withGateway(f, { callouts: [proxied('pp', `${f.mock.url}/via-proxy`)], upstream: statusHeader }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('200');
      expect(f.mock.count('/via-proxy')).to.equal(1);
      expect(proxy.records.length).to.be.greaterThan(0);
      expect(proxy.records.every((r) => r.allowed)).to.equal(true);
      expect(proxy.records[0].target).to.contain(`127.0.0.1:${f.mock.port}`);
    });
  });

  it('https_proxy: an https target is tunnelled with CONNECT', async () => {
    await withGateway(f, { callouts: [proxied('pp', `${tlsMock.url}/secure`)], upstream: statusHeader }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('200');
      expect(proxy.records.map((r) => `${r.kind} ${r.target}`)).to.deep.equal([`connect 127.0.0.1:${tlsMock.port}`]);
    });
  });

  it('wrong proxy password: the proxy refuses, the callout fails (400)', async () => {
    await withGateway(f, { callouts: [proxied('wrong', `${f.mock.url}/via-proxy`)] }, async (g) => {
      const res = await g.call('/r');
      expect(res.status).to.equal(400);
      expect(proxy.records.some((r) => !r.allowed)).to.equal(true);
      expect(f.mock.count('/via-proxy')).to.equal(0);
    });
  });

  /** http_opts with `timeouts`, through the forward proxy when `viaProxy`. */
  const httpOptsWith = (viaProxy: boolean, url: string, timeouts: Record<string, number>): Record<string, unknown> => ({
    ...(viaProxy ? (proxied('pp', url) as { request: { http_opts: Record<string, unknown> } }).request.http_opts : {}),
    timeouts,
  });

  /** The callout `c` fails with the transport error "timeout" (on_error continue: the request is served). */
  const expectTransportTimeout = async (request: Record<string, unknown>, viaProxy: boolean): Promise<void> => {
    await withGateway(f, {
      callouts: [{ name: 'c', request: { ...request, error: { on_error: 'continue' } } }],
      upstream: { headers: { custom: { 'X-S': '$(callouts.c.response and callouts.c.response.status or "none")' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('none');
      await g.gw.waitForLog(new RegExp(`callout c ${String(request.method ?? 'GET')} .* error="timeout"`));
      expect(proxy.records.length > 0).to.equal(viaProxy);
    });
  };

  for (const viaProxy of [false, true]) {
    const via = viaProxy ? ' through the forward proxy' : '';
    it(`read timeout${via}: a callout target that never answers is a transport error "timeout"`, async () => {
      const url = `${hanging.url}/slow`;
      await expectTransportTimeout({ url, http_opts: httpOptsWith(viaProxy, url, { connect: 1000, write: 1000, read: 300 }) }, viaProxy);
    });

    it(`write timeout${via}: a callout target that takes none of a large body is a transport error "timeout"`, async () => {
      const url = `http://127.0.0.1:${(notReading.address() as AddressInfo).port}/upload`;
      await expectTransportTimeout({
        url, method: 'POST', http_opts: httpOptsWith(viaProxy, url, { connect: 1000, write: 300, read: 60000 }),
        // 32 MB: far more than the loopback socket buffers take from a peer that never reads.
        by_lua: 'kong.ctx.shared.callouts.c.request.params.body = string.rep("x", 32 * 1024 * 1024)',
      }, viaProxy);
    });
  }

  it('a Proxy-Authorization header on a proxied callout is a transport error naming the fix, not a 500', async () => {
    const url = `${f.mock.url}/via-proxy`;
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url, headers: { custom: { 'Proxy-Authorization': 'Basic cHU6cHA=' } },
        http_opts: httpOptsWith(true, url, { connect: 1000, write: 1000, read: 1000 }), error: { on_error: 'continue' } } }],
      upstream: { headers: { custom: { 'X-S': '$(callouts.c.response and callouts.c.response.status or "none")' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('none');
      await g.gw.waitForLog(/callout c GET .* error="a Proxy-Authorization header cannot be sent through http_opts.proxy; set http_opts.proxy.auth_username and auth_password instead"/);
      expect(f.mock.count('/via-proxy')).to.equal(0);
    });
  });

  it('read timeout is between two reads: a target that trickles its body for longer than it is not cut off', async () => {
    await withGateway(f, {
      callouts: [{ name: 'c', request: { url: `${trickling.url}/trickle`, http_opts: { timeouts: { connect: 1000, write: 1000, read: 300 } } } }],
      upstream: { headers: { custom: { 'X-S': '$(callouts.c.response.status)', 'X-Len': '$(#callouts.c.response.body)' } } },
    }, async (g) => {
      const echo = await g.echo('/r');
      expect(echo.headers['x-s']).to.equal('200');
      expect(echo.headers['x-len']).to.equal('120');
    });
  });
});
