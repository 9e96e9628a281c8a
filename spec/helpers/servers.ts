// Real HTTP servers on 127.0.0.1 for tests: an echo upstream that reports what it received, and a
// generic server from a handler. Each listens on port 0 and is closed by the test.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Answers 200 and sends `chunks` parts of `partBytes` bytes, `gapMs` apart: a slow but live peer. */
export function trickle(res: ServerResponse, chunks: number, partBytes: number, gapMs: number): void {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  let sent = 0;
  const timer = setInterval(() => {
    res.write('t'.repeat(partBytes));
    if (++sent === chunks) {
      clearInterval(timer);
      res.end();
    }
  }, gapMs);
}

export interface EchoRecord {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Answers 200 with JSON {method, url, headers, rawHeaders, body}; also records each request. */
export async function startEchoServer(): Promise<TestServer & { readonly received: EchoRecord[] }> {
  const received: EchoRecord[] = [];
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: EchoRecord = {
        method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(record);
      const body = JSON.stringify(record);
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Echo': 'yes', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return Object.assign(server, { received });
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: string[];
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** false: a new connection per request (default: node's global agent). */
  readonly agent?: false;
}

/** One HTTP/1.1 request with node:http; resolves with the whole response. */
export function httpCall(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
        }));
        res.on('error', reject);
      });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A port that had a listener a moment ago and now refuses connections. */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.port;
}
