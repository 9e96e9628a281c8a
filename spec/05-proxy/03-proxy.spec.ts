import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KONG_VERSION } from '../../src/proxy/version';
import { declarative, plugin, route, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { closedPort, httpCall, startEchoServer, startServer, type EchoRecord, type TestServer } from '../helpers/servers';

describe('05-proxy proxying', () => {
  let echo: TestServer & { received: EchoRecord[] };
  let gw: TestGateway;
  let hung: TestServer;
  const hungRequests: ServerResponse[] = [];

  before(async () => {
    echo = await startEchoServer();
    hung = await startServer((_req: IncomingMessage, res: ServerResponse) => { hungRequests.push(res); });
    const refusedPort = await closedPort();
    const echoSvc = service({ host: '127.0.0.1', port: echo.port, name: 'echo' });
    const refusedSvc = service({ host: '127.0.0.1', port: refusedPort, retries: 2 });
    const hungSvc = service({ host: '127.0.0.1', port: hung.port, read_timeout: 150, retries: 0 });
    const echoRoute = route({ service: echoSvc.id, paths: ['/echo'] });
    const preserveRoute = route({ service: echoSvc.id, paths: ['/preserve'], preserve_host: true });
    const pluginRoute = route({ service: echoSvc.id, paths: ['/plugins'] });
    const exitRoute = route({ service: echoSvc.id, paths: ['/exit'] });
    const throwRoute = route({ service: echoSvc.id, paths: ['/throw'] });
    const bodyRoute = route({ service: echoSvc.id, paths: ['/body'] });
    const readRoute = route({ service: echoSvc.id, paths: ['/read'] });
    const disabledRoute = route({ service: echoSvc.id, paths: ['/disabled'] });
    gw = await startGateway(declarative({
      services: [echoSvc, refusedSvc, hungSvc],
      routes: [
        echoRoute, preserveRoute, pluginRoute, exitRoute, throwRoute, bodyRoute, readRoute, disabledRoute,
        route({ service: refusedSvc.id, paths: ['/refused'] }),
        route({ service: hungSvc.id, paths: ['/hung'] }),
        route({ service: null, paths: ['/serviceless'] }),
        route({ service: echoSvc.id, paths: ['/https-only'], protocols: ['https'] }),
      ],
      plugins: [
        // global low-priority plugin: applies everywhere unless a more specific one exists
        plugin({ name: 'test-low', config: { request_header: ['X-Scope', 'global'] } }),
        plugin({ name: 'test-low', route: pluginRoute.id, config: { request_header: ['X-Scope', 'route'],
          response_header: ['X-From-Plugin', 'low'] } }),
        plugin({ name: 'test-low', service: echoSvc.id, config: { request_header: ['X-Scope', 'service'] } }),
        plugin({ name: 'test-high', route: pluginRoute.id, config: { response_header: ['X-Echo', 'replaced'] } }),
        plugin({ name: 'test-high', route: exitRoute.id, config: { exit: { status: 403, body: 'forbidden!' },
          response_header: ['X-Before-Exit', '1'] } }),
        plugin({ name: 'test-high', route: throwRoute.id, config: { throw: 'boom in access' } }),
        plugin({ name: 'test-high', route: bodyRoute.id, config: { replace_body: 'replaced body' } }),
        plugin({ name: 'test-high', route: readRoute.id, config: { read_body: true } }),
        plugin({ name: 'test-low', route: disabledRoute.id, enabled: false, config: { request_header: ['X-Scope', 'disabled'] } }),
      ],
    }));
  });

  after(async () => {
    for (const res of hungRequests) res.destroy();
    await gw.stop();
    await echo.close();
    await hung.close();
  });

  it('forwards method, path, query and client headers; sets Kong forwarding headers', async () => {
    const res = await httpCall(`${gw.url}/echo/a/b?x=1&y=%20`, {
      method: 'POST', body: 'hello', headers: { 'X-Custom': 'v', 'X-Forwarded-For': '10.0.0.1', 'X-Forwarded-Proto': 'https',
        'Content-Type': 'text/plain', Host: 'Gateway.Test:9999' },
    });
    expect(res.status).to.equal(200);
    const seen = JSON.parse(res.body) as EchoRecord;
    expect(seen.method).to.equal('POST');
    expect(seen.url).to.equal('/a/b?x=1&y=%20');
    expect(seen.body).to.equal('hello');
    expect(seen.headers['x-custom']).to.equal('v');
    expect(seen.headers.host).to.equal(`127.0.0.1:${echo.port}`);
    expect(seen.headers['x-real-ip']).to.equal('127.0.0.1');
    expect(seen.headers['x-forwarded-for']).to.equal('10.0.0.1, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).to.equal('http');
    expect(seen.headers['x-forwarded-host']).to.equal('gateway.test');
    expect(seen.headers['x-forwarded-port']).to.equal(String(gw.port));
    expect(seen.headers['x-forwarded-path']).to.equal('/echo/a/b');
    expect(seen.headers.via).to.equal(`1.1 kong/${KONG_VERSION}`);
    expect(seen.headers['x-kong-request-id']).to.match(/^[0-9a-f]{32}$/);
  });

  it('adds Kong response headers and passes upstream headers through', async () => {
    const res = await httpCall(`${gw.url}/echo`);
    expect(res.headers['x-echo']).to.equal('yes');
    expect(res.headers.via).to.equal(`1.1 kong/${KONG_VERSION}`);
    expect(res.headers['x-kong-upstream-latency']).to.match(/^\d+$/);
    expect(res.headers['x-kong-proxy-latency']).to.match(/^\d+$/);
    const seen = JSON.parse(res.body) as EchoRecord;
    expect(res.headers['x-kong-request-id']).to.equal(seen.headers['x-kong-request-id']);
  });

  it('writes an access log line carrying the request id', async () => {
    const res = await httpCall(`${gw.url}/echo/logged`);
    const id = res.headers['x-kong-request-id'] as string;
    const line = gw.accessLines.find((l) => l.includes(id));
    expect(line).to.be.a('string');
    expect(line).to.contain('"GET /echo/logged HTTP/1.1" 200');
  });

  it('sends the client Host with preserve_host', async () => {
    const res = await httpCall(`${gw.url}/preserve`, { headers: { Host: 'Original.Example:81' } });
    expect((JSON.parse(res.body) as EchoRecord).headers.host).to.equal('Original.Example:81');
  });

  it('answers 404 with Kong body and headers when no route matches', async () => {
    const res = await httpCall(`${gw.url}/nowhere`);
    expect(res.status).to.equal(404);
    expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).to.deep.equal({ message: 'no Route matched with those values' });
    expect(res.headers.server).to.equal(`kong/${KONG_VERSION}`);
    expect(res.headers['x-kong-response-latency']).to.match(/^\d+$/);
    expect(res.headers['x-kong-request-id']).to.match(/^[0-9a-f]{32}$/);
  });

  it('answers 502 when the upstream refuses connections (after retries) and keeps serving', async () => {
    const res = await httpCall(`${gw.url}/refused`);
    expect(res.status).to.equal(502);
    expect(JSON.parse(res.body)).to.deep.equal({ message: 'An invalid response was received from the upstream server' });
    expect((await httpCall(`${gw.url}/echo`)).status).to.equal(200);
  });

  it('answers 504 when the upstream does not answer within read_timeout', async () => {
    const res = await httpCall(`${gw.url}/hung`);
    expect(res.status).to.equal(504);
    expect(JSON.parse(res.body)).to.deep.equal({ message: 'The upstream server is timing out' });
  });

  it('answers 503 for a route without a service', async () => {
    const res = await httpCall(`${gw.url}/serviceless`);
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body)).to.deep.equal({ message: 'no Service found with those values' });
  });

  it('answers 426 on plain HTTP to an https-only route', async () => {
    const res = await httpCall(`${gw.url}/https-only`);
    expect(res.status).to.equal(426);
    expect(JSON.parse(res.body)).to.deep.equal({ message: 'Please use HTTPS protocol' });
  });

  it('applies the most specific plugin instance per name and runs plugins by priority', async () => {
    const onRoute = JSON.parse((await httpCall(`${gw.url}/plugins`)).body) as EchoRecord;
    expect(onRoute.headers['x-scope']).to.equal('route');
    expect(onRoute.headers['x-plugin-trail']).to.equal('test-high,test-low');
    const onService = JSON.parse((await httpCall(`${gw.url}/echo`)).body) as EchoRecord;
    expect(onService.headers['x-scope']).to.equal('service');
    expect(onService.headers['x-plugin-trail']).to.equal('test-low');
  });

  it('skips disabled plugin instances (a less specific one applies)', async () => {
    const seen = JSON.parse((await httpCall(`${gw.url}/disabled`)).body) as EchoRecord;
    expect(seen.headers['x-scope']).to.equal('service');
  });

  it('merges headers set on the response by plugins into the upstream response', async () => {
    const res = await httpCall(`${gw.url}/plugins`);
    expect(res.headers['x-from-plugin']).to.equal('low');
    expect(res.headers['x-echo']).to.equal('replaced');
  });

  it('short-circuits on exit: status, body, plugin headers, Kong headers; upstream not called', async () => {
    const before = echo.received.length;
    const res = await httpCall(`${gw.url}/exit`);
    expect(res.status).to.equal(403);
    expect(res.body).to.equal('forbidden!');
    expect(res.headers['content-type']).to.equal('text/plain');
    expect(res.headers['x-before-exit']).to.equal('1');
    expect(res.headers['content-length']).to.equal('10');
    expect(res.headers.server).to.equal(`kong/${KONG_VERSION}`);
    expect(res.headers['x-kong-request-id']).to.match(/^[0-9a-f]{32}$/);
    expect(echo.received.length).to.equal(before);
  });

  it('answers 500 when a plugin throws, logs the error with the request id, and keeps serving', async () => {
    const res = await httpCall(`${gw.url}/throw`);
    expect(res.status).to.equal(500);
    expect(JSON.parse(res.body)).to.deep.equal({ message: 'An unexpected error occurred' });
    const id = res.headers['x-kong-request-id'] as string;
    const line = gw.errorLines.find((l) => l.includes('boom in access'));
    expect(line).to.contain('[error]');
    expect(line).to.contain(`request_id: ${id}`);
    expect((await httpCall(`${gw.url}/echo`)).status).to.equal(200);
  });

  it('sends a body set by a plugin with a recomputed Content-Length', async () => {
    const seen = JSON.parse((await httpCall(`${gw.url}/body`, { method: 'POST', body: 'original client body' })).body) as EchoRecord;
    expect(seen.body).to.equal('replaced body');
    expect(seen.headers['content-length']).to.equal('13');
  });

  it('forwards the client body a plugin has read', async () => {
    const seen = JSON.parse((await httpCall(`${gw.url}/read`, { method: 'PUT', body: 'twelve bytes' })).body) as EchoRecord;
    expect(seen.headers['x-body-length']).to.equal('12');
    expect(seen.body).to.equal('twelve bytes');
  });

  it('drops hop-by-hop headers and those named in Connection', async () => {
    const seen = JSON.parse((await httpCall(`${gw.url}/echo`, {
      headers: { Connection: 'keep-alive, X-Hop', 'X-Hop': 'secret', 'Keep-Alive': 'timeout=5', TE: 'trailers' },
    })).body) as EchoRecord;
    expect(seen.headers['x-hop']).to.equal(undefined);
    expect(seen.headers['keep-alive']).to.equal(undefined);
    expect(seen.headers.te).to.equal(undefined);
  });
});

describe('05-proxy headers setting', () => {
  it('headers = off removes Kong headers', async () => {
    const echo = await startEchoServer();
    const svc = service({ host: '127.0.0.1', port: echo.port });
    const gw = await startGateway(declarative({ services: [svc], routes: [route({ service: svc.id, paths: ['/'] })] }),
      { headers: ['off'] });
    try {
      const res = await httpCall(`${gw.url}/x`);
      expect(res.status).to.equal(200);
      expect(res.headers.via).to.equal(undefined);
      expect(res.headers['x-kong-proxy-latency']).to.equal(undefined);
      expect(res.headers['x-kong-request-id']).to.equal(undefined);
      const missing = await httpCall(`${gw.url.replace('127.0.0.1', 'localhost')}/x`, { headers: { host: 'x' } });
      expect(missing.headers.server).to.equal(undefined);
    } finally {
      await gw.stop();
      await echo.close();
    }
  });
});
