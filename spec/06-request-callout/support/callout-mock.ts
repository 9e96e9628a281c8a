// A recording HTTP server for callout targets: every request is recorded (method, path, query,
// raw headers, body) and answered by a script per path (a function or a queue of replies).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly rawHeaders: string[];
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly servername: string | undefined;
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string | string[]>;
  /** A string is sent as is; anything else as JSON with Content-Type application/json. */
  readonly body?: unknown;
}

export type Script = (req: Recorded, count: number) => Reply | Promise<Reply>;

export interface CalloutMock {
  readonly url: string;
  readonly port: number;
  readonly received: Recorded[];
  /** Replies for requests whose path (without query) equals `path`. */
  on(path: string, script: Script | Reply | Reply[]): void;
  /** Requests to `path` among `received` (clearing `received` resets it). */
  count(path: string): number;
  /** Resolves when `n` requests to `path` have arrived. */
  waitFor(path: string, n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCalloutMock(tls?: { key: string; cert: string }): Promise<CalloutMock> {
  const received: Recorded[] = [];
  const scripts = new Map<string, Script>();
  const counts = new Map<string, number>();
  const waiters: Array<{ path: string; n: number; resolve: () => void }> = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://mock');
      const record: Recorded = {
        method: req.method ?? '', url: req.url ?? '', path: url.pathname, query: url.searchParams,
        rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'),
        servername: (req.socket as { servername?: string }).servername,
      };
      received.push(record);
      const n = (counts.get(url.pathname) ?? 0) + 1;
      counts.set(url.pathname, n);
      for (const w of waiters.filter((w) => w.path === url.pathname && n >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const script = scripts.get(url.pathname);
      void Promise.resolve(script ? script(record, n) : { status: 200, body: {} }).then((reply) => send(res, reply));
    });
  };
  const send = (res: ServerResponse, reply: Reply): void => {
      const isText = typeof reply.body === 'string';
      const body = reply.body === undefined ? '' : isText ? reply.body as string : JSON.stringify(reply.body);
      const headers: Record<string, string | string[]> = { ...(isText || reply.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...reply.headers };
      res.writeHead(reply.status ?? 200, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    received,
    on(path, script) {
      if (typeof script === 'function') scripts.set(path, script);
      else if (Array.isArray(script)) scripts.set(path, (_req, n) => script[Math.min(n, script.length) - 1]);
      else scripts.set(path, () => script);
    },
    count: (path) => received.filter((r) => r.path === path).length,
    waitFor: (path, n) => ((counts.get(path) ?? 0) >= n ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ path, n, resolve }))),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
