import { expect } from 'chai';
import * as path from 'node:path';
import { loadDeclarativeConfig } from '../../src/config/declarative/load';
import { defaultSettings } from '../../src/config/settings';
import { DEMO_HOST, DEMO_TOKEN_PORT, DEMO_UPSTREAM_PORT, startDemoServices, type DemoServices } from '../../src/demo';
import { PROJECT_ROOT } from '../helpers/cli';
import { httpCall } from '../helpers/servers';

describe('05-proxy demo services and quickstart', () => {
  let demo: DemoServices;
  before(async () => { demo = await startDemoServices({ upstream: 0, token: 0 }); });
  after(async () => { await demo.close(); });

  it('the echo upstream reports method, path, query, headers and body', async () => {
    const res = await httpCall(`${demo.upstreamUrl}/a/b?x=1`, { method: 'POST', body: 'hi', headers: { Authorization: 'Bearer t' } });
    const seen = JSON.parse(res.body) as Record<string, unknown>;
    expect(seen).to.deep.include({ method: 'POST', path: '/a/b', query: { x: '1' }, body: 'hi' });
    expect((seen.headers as Record<string, string>).authorization).to.equal('Bearer t');
  });

  it('the token service issues a token naming the user', async () => {
    const res = await httpCall(`${demo.tokenUrl}?user=alice`);
    expect(res.status).to.equal(200);
    expect((JSON.parse(res.body) as { token: string }).token).to.match(/^demo-alice-[0-9a-f]{12}$/);
    expect((await httpCall(demo.tokenUrl.replace('/token', '/other'))).status).to.equal(404);
  });

  it('examples/quickstart.yaml points at the demo services and inserts the token (RC-10 shape)', () => {
    const config = loadDeclarativeConfig(path.join(PROJECT_ROOT, 'examples', 'quickstart.yaml'), defaultSettings());
    expect(config.services[0]).to.include({ host: DEMO_HOST, port: DEMO_UPSTREAM_PORT });
    expect(config.routes[0].paths).to.deep.equal(['/demo']);
    const plugin = config.plugins[0];
    expect(plugin.name).to.equal('request-callout');
    const callout = (plugin.config.callouts as Array<{ request: { url: string; query: { forward: boolean } } }>)[0];
    expect(callout.request.url).to.equal(`http://${DEMO_HOST}:${DEMO_TOKEN_PORT}/token`);
    expect(callout.request.query.forward).to.equal(true);
    const upstream = plugin.config.upstream as { headers: { custom: Record<string, string> } };
    expect(upstream.headers.custom.Authorization).to.equal('Bearer $(callouts.auth1.response.body.token)');
  });
});
