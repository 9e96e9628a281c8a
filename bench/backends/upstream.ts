/**
 * Static upstream for the load tests: a plain node:http server that reads the request body,
 * then answers a small JSON document echoing the headers the gateways are expected to add.
 * The echo lets the harness check, before any load, that every system under test did the same work.
 */
import * as http from 'node:http';
import { exitOnSignals, requirePort } from './args';

const ECHOED = ['x-callout-token', 'x-client-user', 'x-tenant', 'x-chain'] as const;

function answer(req: http.IncomingMessage, res: http.ServerResponse, bodyBytes: number): void {
  const echo: Record<string, string | number> = { path: req.url ?? '', len: bodyBytes };
  for (const name of ECHOED) {
    const value = req.headers[name];
    if (typeof value === 'string') echo[name] = value;
  }
  const payload = Buffer.from(JSON.stringify(echo));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
  res.end(payload);
}

function main(): void {
  const port = requirePort(process.argv, 'port');
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    req.on('end', () => answer(req, res, bodyBytes));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
  exitOnSignals(() => server.close());
}

main();
