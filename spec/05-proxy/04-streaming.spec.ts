import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { declarative, route, service } from '../helpers/entities';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { startServer, type TestServer } from '../helpers/servers';

const MB = 1024 * 1024;
const TOTAL = 50 * MB;
const CHUNK = 256 * 1024;

function chunkAt(index: number): Buffer {
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (let i = 0; i < CHUNK; i += 4) chunk.writeUInt32LE((index * CHUNK + i) >>> 0, i);
  return chunk;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

/** Writes chunk 0, waits for `gate`, then writes the rest with backpressure; returns the sha256. */
async function writeLockstep(out: Writable, gate: Promise<void>): Promise<string> {
  const hash = createHash('sha256');
  const count = TOTAL / CHUNK;
  for (let i = 0; i < count; i++) {
    if (i === 1) await gate;
    const chunk = chunkAt(i);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
  return hash.digest('hex');
}

describe('05-proxy streaming (50 MB each way)', function () {
  this.timeout(120_000);
  let upstream: TestServer;
  let gw: TestGateway;
  const upstreamGotFirstBytes = deferred();
  const clientGotFirstBytes = deferred();
  let upstreamBytes = 0;
  let upstreamHash = '';
  let upstreamSentHash: Promise<string> = Promise.resolve('');

  before(async () => {
    upstream = await startServer((req: IncomingMessage, res: ServerResponse) => {
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => {
        upstreamBytes += chunk.length;
        hash.update(chunk);
        upstreamGotFirstBytes.resolve();
      });
      req.on('end', () => {
        upstreamHash = hash.digest('hex');
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        upstreamSentHash = writeLockstep(res, clientGotFirstBytes.promise);
      });
    });
    const svc = service({ host: '127.0.0.1', port: upstream.port });
    gw = await startGateway(declarative({ services: [svc], routes: [route({ service: svc.id, paths: ['/stream'] })] }));
  });

  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('forwards request bytes before the client has finished sending, and response bytes before the upstream has', async () => {
    // Lockstep: each sender holds back all but its first chunk until the other side has seen bytes.
    // A proxy that buffered either body whole would never release the gate and the test would time out.
    const clientReceived = createHash('sha256');
    let clientBytes = 0;
    const done = new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/stream`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' } },
        (res) => {
          res.on('data', (chunk: Buffer) => {
            clientBytes += chunk.length;
            clientReceived.update(chunk);
            clientGotFirstBytes.resolve();
          });
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
      req.on('error', reject);
      writeLockstep(req, upstreamGotFirstBytes.promise).then((sentHash) => { clientSentHash = sentHash; }, reject);
    });
    let clientSentHash = '';
    const status = await done;
    expect(status).to.equal(200);
    expect(upstreamBytes).to.equal(TOTAL);
    expect(upstreamHash).to.equal(clientSentHash);
    expect(clientBytes).to.equal(TOTAL);
    expect(clientReceived.digest('hex')).to.equal(await upstreamSentHash);
  });
});
