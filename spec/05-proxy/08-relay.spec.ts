// The upstream relay at its edges: field order and repeats, interim 1xx answers, an upstream that
// dies mid-body, a client that leaves mid-body. Real servers on 127.0.0.1, the in-process gateway.
import { expect } from 'chai';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { plugin, route, routedTo, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { httpCall, startEchoServer, startServer, type EchoRecord, type TestServer } from '../helpers/servers';

/** Sends GET `path` over a raw socket with fields in exactly this order; resolves with the response body. */
function callWithRawHeaders(port: number, path: string, fields: ReadonlyArray<readonly [string, string]>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => { received += text; });
    socket.on('end', () => resolve(received.slice(received.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
    const head = fields.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${head}Connection: close\r\n\r\n`);
  });
}

describe('05-proxy upstream relay', () => {
  let echo: TestServer & { received: EchoRecord[] };
  let special: TestServer;
  let gw: TestGateway;
  /** Settles when the upstream sees its /leave request closed before it finished answering. */
  let upstreamSawLeave: Promise<boolean>;
  let reportLeave: (closedEarly: boolean) => void = () => undefined;

  before(async () => {
    echo = await startEchoServer();
    special = await startServer((req: IncomingMessage, res: ServerResponse) => {
      switch (req.url) {
        case '/cookies':
          res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
          res.end('cookies');
          return;
        case '/early-hints':
          res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' }, () => {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.end('final answer');
          });
          return;
        case '/die':
          res.writeHead(200, { 'Content-Length': '1000' });
          res.write('only part of it', () => setImmediate(() => res.socket?.destroy()));
          return;
        case '/in-parts': {
          // A declared length sent in three writes, each after the last has gone out.
          const parts = ['first,', 'second,', 'third'];
          res.writeHead(200, { 'Content-Length': String(parts.join('').length), 'Content-Type': 'text/plain' });
          if (req.method === 'HEAD') { res.end(); return; }
          const next = (): void => {
            const part = parts.shift() as string;
            if (parts.length === 0) res.end(part);
            else res.write(part, () => setImmediate(next));
          };
          next();
          return;
        }
        case '/leave':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.write('first chunk');
          res.on('close', () => reportLeave(!res.writableFinished));
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
    const echoSvc = service({ host: '127.0.0.1', port: echo.port });
    const specialSvc = service({ host: '127.0.0.1', port: special.port, retries: 0 });
    const config = routedTo({ '/echo': echoSvc, '/special': specialSvc });
    const shortRoute = route({ service: specialSvc.id, paths: ['/short'] });
    const longRoute = route({ service: specialSvc.id, paths: ['/long'] });
    gw = await startGateway({ ...config, routes: [...config.routes, shortRoute, longRoute], plugins: [
      plugin({ name: 'test-high', route: shortRoute.id, config: { response_header: ['Content-Length', '3'] } }),
      plugin({ name: 'test-high', route: longRoute.id, config: { response_header: ['Content-Length', '100'] } }),
    ] });
  });

  after(async () => {
    await gw.stop();
    await echo.close();
    await special.close();
  });

  it('forwards client fields in the order sent, repeats included, and joins X-Forwarded-For', async () => {
    const seen = JSON.parse(await callWithRawHeaders(gw.port, '/echo', [
      ['X-A', 'one'], ['X-B', 'two'], ['X-A', 'three'], ['X-Forwarded-For', '10.0.0.1'], ['X-Forwarded-For', '10.0.0.2'],
    ])) as EchoRecord;
    const raw = seen.rawHeaders;
    const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    const aValues = raw.filter((_, i) => i % 2 === 1 && raw[i - 1] === 'X-A');
    expect(aValues).to.deep.equal(['one', 'three']);
    expect(names.indexOf('x-a')).to.be.lessThan(names.indexOf('x-b'));
    expect(names.lastIndexOf('x-a')).to.be.greaterThan(names.indexOf('x-b'));
    expect(seen.headers['x-forwarded-for']).to.equal('10.0.0.1, 10.0.0.2, 127.0.0.1');
  });

  it('passes every value of a repeated upstream field (Set-Cookie) to the client', async () => {
    const res = await httpCall(`${gw.url}/special/cookies`);
    expect(res.status).to.equal(200);
    expect(res.headers['set-cookie']).to.deep.equal(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.body).to.equal('cookies');
  });

  it('answers with the final response after an interim 103 from the upstream', async () => {
    const res = await httpCall(`${gw.url}/special/early-hints`);
    expect(res.status).to.equal(200);
    expect(res.body).to.equal('final answer');
  });

  it('relays a declared-length body that arrives in parts, ends it, and keeps the client connection for the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const accessBefore = gw.accessLines.length;
    try {
      const sockets: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const req = httpRequest(`${gw.url}/special/in-parts`, { agent });
        req.on('socket', (socket) => sockets.push(socket));
        req.end();
        const [res] = await once(req, 'response') as [IncomingMessage];
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
        await once(res, 'end');
        expect(res.headers['content-length']).to.equal('18');
        expect(body).to.equal('first,second,third');
      }
      expect(sockets[1]).to.equal(sockets[0]);
      const head = await httpCall(`${gw.url}/special/in-parts`, { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(head.headers['content-length']).to.equal('18');
      expect(head.body).to.equal('');
    } finally {
      agent.destroy();
    }
    await waitFor(() => gw.accessLines.length >= accessBefore + 3);
    expect(gw.accessLines.slice(accessBefore).filter((line) => /"GET \/special\/in-parts HTTP\/1.1" 200 18 /.test(line))).to.have.length(2);
  });

  it('a plugin that declares a shorter Content-Length gets that many bytes to the client, and the connection serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const req = httpRequest(`${gw.url}/short/in-parts`, { agent });
        req.end();
        const [res] = await once(req, 'response') as [IncomingMessage];
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
        await once(res, 'end');
        expect([res.headers['content-length'], body]).to.deep.equal(['3', 'fir']);
      }
      const next = httpRequest(`${gw.url}/echo/after-short`, { agent });
      next.end();
      const [nextRes] = await once(next, 'response') as [IncomingMessage];
      nextRes.resume();
      expect(nextRes.statusCode).to.equal(200);
    } finally {
      agent.destroy();
    }
  });

  it('a plugin that declares a longer Content-Length: the client connection is closed rather than left waiting, logged; HEAD is unaffected', async () => {
    const outcome = await bodyOutcome(`${gw.url}/long/in-parts`);
    expect(outcome).to.equal('aborted:first,second,third');
    await waitFor(() => gw.errorLines.some((line) => line.includes('ended 82 bytes short of its Content-Length')));
    const head = await httpCall(`${gw.url}/long/in-parts`, { method: 'HEAD' });
    expect([head.status, head.headers['content-length']]).to.deep.equal([200, '100']);
  });

  it('cuts the client connection when the upstream dies mid-body, logs it, and keeps serving', async () => {
    const outcome = await bodyOutcome(`${gw.url}/special/die`);
    expect(outcome).to.equal('aborted:only part of it');
    await waitFor(() => gw.errorLines.some((line) => line.includes('upstream response body failed')));
    expect((await httpCall(`${gw.url}/echo/after`)).status).to.equal(200);
  });

  it('aborts the upstream call when the client leaves mid-body, and logs the request', async () => {
    upstreamSawLeave = new Promise((resolve) => { reportLeave = resolve; });
    const accessBefore = gw.accessLines.length;
    const req = httpRequest(`${gw.url}/special/leave`, { agent: false });
    req.end();
    const [res] = await once(req, 'response') as [IncomingMessage];
    const [firstChunk] = await once(res, 'data') as [Buffer];
    expect(firstChunk.toString('utf8')).to.equal('first chunk');
    req.destroy();
    expect(await upstreamSawLeave).to.equal(true);
    await waitFor(() => gw.accessLines.length > accessBefore);
    expect(gw.accessLines.slice(accessBefore).join('')).to.match(/"GET \/special\/leave HTTP\/1.1" 200 11 /);
    expect((await httpCall(`${gw.url}/echo/after-leave`)).status).to.equal(200);
  });
});

/** GET `url` on a connection of its own: `complete:<body>`, or `aborted:<bytes received>` when the connection closed first. */
function bodyOutcome(url: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let received = '';
      res.on('data', (c: Buffer) => { received += c.toString('utf8'); });
      res.on('end', () => resolve(`complete:${received}`));
      res.on('aborted', () => resolve(`aborted:${received}`));
      res.on('error', () => resolve(`aborted:${received}`));
    });
    req.on('error', () => resolve('request error'));
    req.end();
  });
}

/** Polls a condition the gateway reaches asynchronously (log lines are written after the response). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
