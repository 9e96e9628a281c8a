// Demo upstream: answers every request with JSON describing what it received, so the quickstart
// shows what the gateway (and request-callout) sent upstream.
import { createServer, type Server } from 'node:http';

export function createEchoService(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://demo.local');
      const body = JSON.stringify({
        service: 'luagate demo upstream',
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }, null, 2) + '\n';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
}
