import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeclarativeConfig } from '../../src/config/types';
import { declarative, plugin, route, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { httpCall, startServer, type TestServer } from '../helpers/servers';
import { CLOSED_LABELS } from '../helpers/test-plugins';

describe('05-proxy reload (in process)', () => {
  let upstream: TestServer;
  const held: ServerResponse[] = [];
  let heldArrived: (() => void) | null = null;
  let gw: TestGateway;

  function config(generation: string): DeclarativeConfig {
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    const r = route({ service: svc.id, paths: [`/${generation}`, '/hold'], strip_path: false });
    return declarative({
      services: [svc], routes: [r],
      plugins: [plugin({ name: 'test-low', config: { response_header: ['X-Generation', generation], close_label: generation } })],
    });
  }

  before(async () => {
    upstream = await startServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (req.url?.startsWith('/hold')) {
        held.push(res);
        heldArrived?.();
        return;
      }
      res.end('ok');
    });
    gw = await startGateway(config('first'));
  });

  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('swaps the configuration; a request in flight finishes on the snapshot it started with', async () => {
    const arrived = new Promise<void>((resolve) => { heldArrived = resolve; });
    const inFlight = httpCall(`${gw.url}/hold`);
    await arrived;

    gw.setConfig(config('second'));
    const result = await gw.gateway.reload();
    expect(result.ok).to.equal(true);
    expect((await httpCall(`${gw.url}/second`)).headers['x-generation']).to.equal('second');
    expect((await httpCall(`${gw.url}/first`)).status).to.equal(404);
    expect(CLOSED_LABELS).to.not.include('first');

    held[0].end('released');
    const res = await inFlight;
    expect(res.body).to.equal('released');
    expect(res.headers['x-generation']).to.equal('first');
    if (!result.ok) throw result.error;
    await result.previousReleased;
    expect(CLOSED_LABELS).to.include('first');
  });

  it('keeps serving the old configuration when the new one fails to load, and logs why', async () => {
    gw.setConfig(() => { throw new Error('plugins[1].config.x: unknown field'); });
    const result = await gw.gateway.reload();
    expect(result.ok).to.equal(false);
    const res = await httpCall(`${gw.url}/second`);
    expect(res.status).to.equal(200);
    expect(res.headers['x-generation']).to.equal('second');
    expect(gw.errorLines.some((l) => l.includes('configuration reload failed') && l.includes('unknown field'))).to.equal(true);
  });
});
