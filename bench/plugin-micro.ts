// Plugin-level micro-benchmark: µs of CPU per `access()` of the request-callout plugin built from the
// bench scenario configs, against a real callout target on 127.0.0.1 (in this process, so its CPU
// is counted too; the `callout target only` row measures that share). Separates the plugin's own
// cost from the proxy and from load-test noise. Run: `npm run bench:plugin [-- scenario...]`.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { defaultSettings, parseDeclarativeConfig } from '../src/config';
import { buildSnapshot, closeSnapshot } from '../src/config/snapshot';
import type { Exchange } from '../src/pdk/exchange';
import { createPluginSetup } from '../src/plugins/registry';
import type { PluginInstance } from '../src/plugins/plugin';
import { OrderedHeaderMap } from '../src/proxy/header-map';

const RUN_MS = 1500;
const RUNS = 5;
const TOKEN = Buffer.from(JSON.stringify({ token: 'tok-abc123', expires_in: 3600 }));

function startCalloutTarget(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const id = new URLSearchParams(url.split('?')[1] ?? '').get('id') ?? '';
    let body: Buffer;
    if (url.startsWith('/token')) body = TOKEN;
    else if (url.startsWith('/step1')) body = Buffer.from(JSON.stringify({ id: `u-${String(req.headers['x-req-user'] ?? '')}`, tenant: 'acme' }));
    else if (url.startsWith('/step2')) body = Buffer.from(JSON.stringify({ plan: 'gold', id }));
    else body = Buffer.from(JSON.stringify({ token: `chain-${String(req.headers['x-plan'] ?? '')}-${id}` }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function exchange(): Exchange {
  const raw = ['Host', '127.0.0.1:8000', 'User-Agent', 'wrk', 'X-User', 'alice'];
  return {
    request: {
      id: 'req', startTime: Date.now(), method: 'GET', scheme: 'http', httpVersion: 1.1, host: '127.0.0.1', port: 8000,
      rawPath: '/callout', rawQuery: '', headers: OrderedHeaderMap.fromRaw(raw), remoteAddress: '127.0.0.1', remotePort: 1,
      bufferedBody: undefined, readBody: async () => new Uint8Array(0),
    },
    upstream: { method: 'GET', scheme: 'http', host: '127.0.0.1', port: 9, path: '/echo', rawQuery: '',
      headers: OrderedHeaderMap.fromRaw(raw), hostHeader: null, body: undefined },
    response: { status: null, headers: new OrderedHeaderMap(), exit: null },
    route: { routeId: 'r', serviceId: 's', route: {}, service: {}, uriCaptures: null }, consumer: null,
    log: { log: () => undefined, enabled: () => false }, ctx: new Map(),
  };
}

/** Median CPU µs per call, 64 calls in flight, over RUNS runs of RUN_MS. */
async function measure(call: () => Promise<void>): Promise<number> {
  const results: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    let n = 0;
    const deadline = Date.now() + RUN_MS;
    const cpu = process.cpuUsage();
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline) { await call(); n++; }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    const used = process.cpuUsage(cpu);
    if (r > 0) results.push((used.user + used.system) / n);   // the first run warms up
  }
  return results.sort((a, b) => a - b)[Math.floor(results.length / 2)];
}

async function pluginOf(scenario: string, calloutPort: number): Promise<{ plugin: PluginInstance; close: () => Promise<void> }> {
  const file = scenario.endsWith('.yaml') ? scenario : join(__dirname, '..', '..', 'bench', 'configs', `${scenario}.yaml`);
  const text = readFileSync(file, 'utf8')
    .replaceAll('__UPSTREAM__', '127.0.0.1:9').replaceAll('__CALLOUT__', `127.0.0.1:${calloutPort}`);
  const settings = defaultSettings();
  const setup = createPluginSetup(settings);
  const snapshot = buildSnapshot(parseDeclarativeConfig(text, settings).config, settings, setup.factories, setup.runtime);
  return { plugin: snapshot.plugins[0], close: () => closeSnapshot(snapshot) };
}

async function main(): Promise<void> {
  const target = await startCalloutTarget();
  const port = (target.address() as AddressInfo).port;
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const rows: Array<[string, number]> = [];
  const only = process.argv.slice(2);
  if (only.length === 0) rows.push(['callout target only (undici request + text + JSON.parse)', await measure(async () => {
    const res = await request(`http://127.0.0.1:${port}/token`, { dispatcher: agent });
    JSON.parse(await res.body.text());
  })]);
  for (const scenario of only.length > 0 ? only : ['callout', 'callout-cached', 'chained']) {
    const { plugin, close } = await pluginOf(scenario, port);
    rows.push([`request-callout access(): ${scenario}`, await measure(async () => { await plugin.access(exchange()); })]);
    await close();
  }
  await agent.close();
  target.close();
  for (const [name, us] of rows) console.log(`${us.toFixed(1).padStart(8)} µs  ${name}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
