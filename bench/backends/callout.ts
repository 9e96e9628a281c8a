/**
 * Callout target for the load tests: a plain node:http server with precomputed JSON answers.
 *   /token  -> {"token":"tok-abc123","expires_in":3600}            (1 callout scenarios)
 *   /step1  -> {"id":"u-<X-Req-User>","tenant":"acme"}          (chain, 1st)
 *   /step2  -> {"plan":"gold","id":<?id>}                         (chain, 2nd)
 *   /step3  -> {"token":"chain-<X-Plan>-<?id>"}                   (chain, 3rd)
 * The chain steps echo what they were sent, so the final upstream header proves every link ran.
 */
import * as http from 'node:http';
import { exitOnSignals, requirePort } from './args';

const TOKEN = Buffer.from(JSON.stringify({ token: 'tok-abc123', expires_in: 3600 }));

function send(res: http.ServerResponse, status: number, payload: Buffer | string): void {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

function queryValue(url: string, name: string): string | null {
  const query = url.indexOf('?');
  if (query < 0) return null;
  return new URLSearchParams(url.slice(query + 1)).get(name);
}

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0];
  switch (path) {
    case '/token':
      return send(res, 200, TOKEN);
    case '/step1':
      return send(res, 200, JSON.stringify({ id: `u-${String(req.headers['x-req-user'] ?? '')}`, tenant: 'acme' }));
    case '/step2':
      return send(res, 200, JSON.stringify({ plan: 'gold', id: queryValue(url, 'id') }));
    case '/step3':
      return send(res, 200, JSON.stringify({
        token: `chain-${String(req.headers['x-plan'] ?? '')}-${queryValue(url, 'id') ?? ''}`,
      }));
    default:
      return send(res, 404, '{"message":"not found"}');
  }
}

function main(): void {
  const port = requirePort(process.argv, 'port');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => route(req, res));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
  exitOnSignals(() => server.close());
}

main();
