import { expect } from 'chai';
import { upstreamPath } from '../../src/proxy/upstream-path';
import { declarative, route, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { httpCall, startEchoServer, type EchoRecord, type TestServer } from '../helpers/servers';

// The table from Kong's Route documentation (strip_path × path_handling × route path × request),
// service path `/s`.
const KONG_DOCS_TABLE: ReadonlyArray<{ routePath: string; request: string; strip: boolean; handling: 'v0' | 'v1'; expected: string }> = [
  { routePath: '/fv0', request: '/fv0/req', strip: false, handling: 'v0', expected: '/s/fv0/req' },
  { routePath: '/fv0', request: '/fv0', strip: false, handling: 'v0', expected: '/s/fv0' },
  { routePath: '/fv1', request: '/fv1/req', strip: false, handling: 'v1', expected: '/sfv1/req' },
  { routePath: '/fv1', request: '/fv1', strip: false, handling: 'v1', expected: '/sfv1' },
  { routePath: '/tv0', request: '/tv0/req', strip: true, handling: 'v0', expected: '/s/req' },
  { routePath: '/tv0', request: '/tv0', strip: true, handling: 'v0', expected: '/s' },
  { routePath: '/tv1', request: '/tv1/req', strip: true, handling: 'v1', expected: '/s/req' },
  { routePath: '/tv1', request: '/tv1', strip: true, handling: 'v1', expected: '/s' },
  { routePath: '/fv0/', request: '/fv0/req', strip: false, handling: 'v0', expected: '/s/fv0/req' },
  { routePath: '/fv0/', request: '/fv0/', strip: false, handling: 'v0', expected: '/s/fv0/' },
  { routePath: '/fv1/', request: '/fv1/req', strip: false, handling: 'v1', expected: '/sfv1/req' },
  { routePath: '/fv1/', request: '/fv1/', strip: false, handling: 'v1', expected: '/sfv1/' },
  { routePath: '/tv0/', request: '/tv0/req', strip: true, handling: 'v0', expected: '/s/req' },
  { routePath: '/tv0/', request: '/tv0/', strip: true, handling: 'v0', expected: '/s/' },
  { routePath: '/tv1/', request: '/tv1/req', strip: true, handling: 'v1', expected: '/sreq' },
  { routePath: '/tv1/', request: '/tv1/', strip: true, handling: 'v1', expected: '/s' },
];

describe('05-proxy path handling', () => {
  describe('upstreamPath()', () => {
    for (const row of KONG_DOCS_TABLE) {
      it(`${row.handling} strip_path=${row.strip} route ${row.routePath} request ${row.request} → ${row.expected}`, () => {
        expect(upstreamPath({ pathHandling: row.handling, stripPath: row.strip, requestPath: row.request,
          matchedPrefix: row.routePath, servicePath: '/s' })).to.equal(row.expected);
      });
    }

    it('joins with service paths ending in a slash and with no service path (v0)', () => {
      const v0 = (servicePath: string, matchedPrefix: string, requestPath: string, stripPath = true): string =>
        upstreamPath({ pathHandling: 'v0', stripPath, requestPath, matchedPrefix, servicePath });
      expect(v0('/s/', '/x', '/x/req')).to.equal('/s/req');
      expect(v0('/s/', '/x/', '/x/req')).to.equal('/s/req');
      expect(v0('/s/', '/x', '/x')).to.equal('/s');
      expect(v0('/s/', '/x', '/x/')).to.equal('/s/');
      expect(v0('/s/', '/x', '/x/req', false)).to.equal('/s/x/req');
      expect(v0('/', '/x', '/x')).to.equal('/');
      expect(v0('/', '/x', '/x/a/b')).to.equal('/a/b');
      expect(v0('/', '/', '/x/a', false)).to.equal('/x/a');
    });
  });

  describe('through the proxy (Kong docs table)', () => {
    let echo: TestServer & { received: EchoRecord[] };
    let gw: TestGateway;

    before(async () => {
      echo = await startEchoServer();
      const svc = service({ host: '127.0.0.1', port: echo.port, path: '/s' });
      const routes = KONG_DOCS_TABLE.map((row, i) => route({
        service: svc.id, hosts: [`row${i}.test`], paths: [row.routePath], strip_path: row.strip, path_handling: row.handling,
      }));
      gw = await startGateway(declarative({ services: [svc], routes }));
    });
    after(async () => {
      await gw.stop();
      await echo.close();
    });

    KONG_DOCS_TABLE.forEach((row, i) => {
      it(`row ${i + 1}: ${row.handling} strip_path=${row.strip} ${row.routePath} + ${row.request} → ${row.expected}`, async () => {
        const res = await httpCall(`${gw.url}${row.request}?q=1`, { headers: { host: `row${i}.test` } });
        expect(res.status).to.equal(200);
        expect(JSON.parse(res.body).url).to.equal(`${row.expected}?q=1`);
      });
    });

    it('strips the whole regex match with strip_path', async () => {
      const svc = service({ host: '127.0.0.1', port: echo.port, path: '/base' });
      const regexGw = await startGateway(declarative({
        services: [svc], routes: [route({ service: svc.id, paths: ['~/v\\d+/items'] })],
      }));
      try {
        const res = await httpCall(`${regexGw.url}/v12/items/7`);
        expect(JSON.parse(res.body).url).to.equal('/base/7');
      } finally {
        await regexGw.stop();
      }
    });
  });
});
