import { expect } from 'chai';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { routedTo, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { startServer, type TestServer } from '../helpers/servers';

const MB = 1024 * 1024;
/** Far more than loopback socket buffers hold, so a peer that never reads stalls the writes. */
const UPLOAD_LIMIT = 512 * MB;

interface UploadResult {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
  readonly sent: number;
}

/**
 * POSTs 1 MB chunks until the response head arrives (or UPLOAD_LIMIT), then stops sending and
 * resolves once the answer is read and the connection is closed: by the gateway, or with
 * `leave`, by this client as soon as it has the answer.
 */
function uploadUntilAnswered(url: string, leave = false): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(MB, 0x61);
    const req = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' } });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => { body += part; });
      res.on('end', () => {
        const done = (): void => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, sent });
        if (leave) res.socket.destroy();
        if (res.socket.destroyed) done();
        else res.socket.once('close', done);
      });
    });
    req.on('error', (error) => { if (!answered) reject(error); });
    const pump = (): void => {
      while (!answered && sent < UPLOAD_LIMIT) {
        sent += MB;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('05-proxy write_timeout', function () {
  this.timeout(60_000);
  let stalled: Server;
  let stalledPort = 0;
  const held: Socket[] = [];
  let reading: TestServer;
  let readBytes = 0;
  let gw: TestGateway;

  before(async () => {
    // Accepts connections and never reads: the gateway's writes pile up and stop.
    stalled = createServer((socket) => {
      socket.pause();
      held.push(socket);
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    stalledPort = (stalled.address() as AddressInfo).port;
    reading = await startServer((req: IncomingMessage, res: ServerResponse) => {
      req.on('data', (part: Buffer) => { readBytes += part.length; });
      req.on('end', () => res.end(`read ${readBytes}`));
    });
    const stuck = service({ host: '127.0.0.1', port: stalledPort, write_timeout: 300 });
    const fine = service({ host: '127.0.0.1', port: reading.port, write_timeout: 300 });
    gw = await startGateway(routedTo({ '/stuck': stuck, '/fine': fine }));
  });

  after(async () => {
    await gw.stop();
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
    await reading.close();
  });

  it('answers 504 when the upstream stops taking the request body for write_timeout, and logs why', async () => {
    const result = await uploadUntilAnswered(`${gw.url}/stuck`);
    expect(result.status).to.equal(504);
    expect(JSON.parse(result.body)).to.deep.equal({ message: 'The upstream server is timing out' });
    // The rest of the body is not read into a stream nobody consumes: the gateway closes.
    expect(result.connection).to.equal('close');
    // The answer came while the client still had most of its body to send.
    expect(result.sent).to.be.lessThan(UPLOAD_LIMIT);
    expect(gw.errorLines.join('')).to.match(new RegExp(`upstream 127\\.0\\.0\\.1:${stalledPort} timed out \\(write\\) while proxying POST /stuck`));
  });

  it('lets go of a client that leaves after the answer: a stop does not wait for its connection', async function () {
    // A paused socket would never notice the client leaving and the stop would wait out its
    // 30-second grace period: this test's timeout is well below that.
    this.timeout(15_000);
    const own = await startGateway(routedTo({ '/stuck': service({ host: '127.0.0.1', port: stalledPort, write_timeout: 300 }) }));
    const result = await uploadUntilAnswered(`${own.url}/stuck`, true);
    expect(result.status).to.equal(504);
    await own.stop();
  });

  it('keeps serving, and a large body to an upstream that reads is not cut off by the same write_timeout', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/fine`, { method: 'POST' }, (answer) => {
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (part: string) => { body += part; });
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(Buffer.alloc(64 * MB, 0x62));
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.equal(`read ${64 * MB}`);
  });
});
