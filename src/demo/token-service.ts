// Demo token service: GET /token answers {"token": ..., "expires_in": 3600}; the token names the
// `user` query argument when given, so the quickstart shows query forwarding too.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export function createTokenService(): Server {
  return createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://demo.local');
    if (url.pathname !== '/token') {
      const body = JSON.stringify({ message: 'not found; try GET /token' });
      res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const user = url.searchParams.get('user') ?? 'anonymous';
    const body = JSON.stringify({ token: `demo-${user}-${randomBytes(6).toString('hex')}`, expires_in: 3600 });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}
