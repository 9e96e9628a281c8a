import { expect } from 'chai';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { declarative, route, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { httpCall, startServer, trickle, type TestServer } from '../helpers/servers';
import { readTimeouts } from '../../src/util/read-timeouts';

const READ_TIMEOUT = 250;
const MB = 1024 * 1024;

interface Received {
  readonly status: number;
  readonly bytes: number;
  /** The response ended cleanly (false: the connection was cut mid-body). */
  readonly complete: boolean;
}

/** GETs `url`; with `holdMs`, stops reading for that long once the head arrives (backpressure). */
function fetchAll(url: string, holdMs = 0): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false });
    req.on('response', (res: IncomingMessage) => {
      let bytes = 0;
      res.on('data', (part: Buffer) => { bytes += part.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, complete: true }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, complete: false }));
      res.on('error', () => undefined);
      if (holdMs > 0) {
        res.pause();
        setTimeout(() => res.resume(), holdMs);
      }
    });
    req.on('error', reject);
    req.end();
  });
}

/** Turns the event loop until `check()` holds or `withinMs` passes; its last answer. */
async function becomesTrue(check: () => boolean, withinMs: number): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (!check() && Date.now() < end) await new Promise<void>((resolve) => setImmediate(resolve));
  return check();
}

describe('05-proxy read_timeout (between two reads, after the request is sent)', function () {
  this.timeout(30_000);
  let upstream: TestServer;
  let gw: TestGateway;
  const stalled: ServerResponse[] = [];

  before(async () => {
    upstream = await startServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '/';
      if (path === '/stall-body') {
        // The head and a first chunk, then nothing.
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
        res.write('x'.repeat(100));
        stalled.push(res);
      } else if (path === '/trickle') {
        // 12 chunks 60 ms apart: 0.7 s in all, never READ_TIMEOUT without a byte.
        trickle(res, 12, 10, 60);
      } else if (path === '/late-head') {
        setTimeout(() => res.end('late but in time'), READ_TIMEOUT / 3);
      } else if (path === '/big') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(16 * MB) });
        res.end(Buffer.alloc(16 * MB, 0x7a));
      } else if (path === '/upload') {
        let size = 0;
        req.on('data', (part: Buffer) => { size += part.length; });
        req.on('end', () => res.end(`got ${size}`));
      } else {
        res.end('ok');
      }
    });
    const svc = service({ host: '127.0.0.1', port: upstream.port, read_timeout: READ_TIMEOUT, retries: 0 });
    gw = await startGateway(declarative({ services: [svc], routes: [route({ service: svc.id, paths: ['/'] })] }));
  });

  after(async () => {
    for (const res of stalled) res.destroy();
    await gw.stop();
    await upstream.close();
  });

  it('cuts the response off when the upstream stops sending its body for read_timeout', async () => {
    const got = await fetchAll(`${gw.url}/stall-body`);
    expect(got.status).to.equal(200);
    expect(got.complete).to.equal(false);
    expect(got.bytes).to.equal(100);
    expect(gw.errorLines.some((line) => /upstream response body failed: upstream .* timed out \(read\)/.test(line))).to.equal(true);
  });

  it('does not cut off an upstream that keeps sending, however long the whole answer takes', async () => {
    const got = await fetchAll(`${gw.url}/trickle`);
    expect(got).to.deep.equal({ status: 200, bytes: 120, complete: true });
  });

  it('answers normally when the head comes within read_timeout', async () => {
    const res = await httpCall(`${gw.url}/late-head`);
    expect(res.status).to.equal(200);
    expect(res.body).to.equal('late but in time');
  });

  it('does not count the time the client holds the answer back (the upstream is paused, not late)', async () => {
    const got = await fetchAll(`${gw.url}/big`, READ_TIMEOUT * 3);
    expect(got).to.deep.equal({ status: 200, bytes: 16 * MB, complete: true });
  });

  it('starts counting only once the request is sent: a long upload is not a read timeout', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/upload`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/octet-stream' } });
      req.on('response', (r: IncomingMessage) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (part: string) => { body += part; });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Sent in 8 parts READ_TIMEOUT / 2 apart: the upload takes longer than read_timeout.
      let parts = 0;
      const timer = setInterval(() => {
        req.write(Buffer.alloc(1024, 0x61));
        if (++parts === 8) {
          clearInterval(timer);
          req.end();
        }
      }, READ_TIMEOUT / 2);
    });
    expect(res).to.deep.equal({ status: 200, body: `got ${8 * 1024}` });
  });

  it('watches no call once the traffic is over, including calls whose client left mid-answer', async () => {
    await Promise.all(Array.from({ length: 20 }, () => httpCall(`${gw.url}/plain`)));
    // Clients that read a little of a 16 MB answer and leave while the upstream is paused.
    await Promise.all(Array.from({ length: 4 }, () => new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/big`, { agent: false });
      req.on('response', (res: IncomingMessage) => {
        res.once('data', () => {
          res.pause();
          res.socket.once('close', () => resolve());
          res.destroy();
        });
      });
      req.on('error', (err) => { if (!req.destroyed) reject(err); });
      req.end();
    })));
    expect(await httpCall(`${gw.url}/plain`)).to.include({ status: 200 });
    // The gateway hears of each leaving client on its own socket's close: give it those turns.
    expect(await becomesTrue(() => readTimeouts.size === 0, 5_000)).to.equal(true);
  });
});
