// Router micro-benchmark: µs per route match on configurations of many routes, luagate's router
// (candidates found by host and through a trie of prefixes) against the same router testing every
// route in order, both measured in this run. Run: `npm run bench:router`.
import type { RouteEntity, ServiceEntity } from '../src/config/types';
import { OrderedHeaderMap } from '../src/proxy/header-map';
import { Router, type RouterRequest } from '../src/proxy/router';

const RUN_MS = 300;
const RUNS = 5;
const SIZES = [10, 100, 1000, 5000];

const service: ServiceEntity = {
  id: '00000000-0000-4000-8000-000000000001', name: 'svc', protocol: 'http', host: '127.0.0.1', port: 80, path: '/',
  retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tls_verify: null, enabled: true, tags: [],
};

function routeEntity(i: number, fields: Pick<RouteEntity, 'methods' | 'hosts' | 'paths'>): RouteEntity {
  return {
    id: `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `r${i}`, protocols: ['http', 'https'],
    headers: null, strip_path: true, preserve_host: false, regex_priority: 0, path_handling: 'v0',
    https_redirect_status_code: 426, request_buffering: true, response_buffering: true, tags: [], service: service.id, ...fields,
  };
}

/** A large API catalogue by path: /api/v1/svc<i>, every third with methods, every fifth with a host. */
function pathCatalogue(size: number): RouteEntity[] {
  return Array.from({ length: size }, (_, i) => routeEntity(i, {
    methods: i % 3 === 0 ? ['GET', 'POST'] : null, hosts: i % 5 === 0 ? [`h${i}.example.com`] : null, paths: [`/api/v1/svc${i}`],
  }));
}

/** One route per virtual host: svc<i>.example.com, half of them on path /. */
function hostCatalogue(size: number): RouteEntity[] {
  return Array.from({ length: size }, (_, i) => routeEntity(i, {
    methods: null, hosts: [`svc${i}.example.com`], paths: i % 2 === 0 ? ['/'] : null,
  }));
}

function request(path: string, host = 'gateway.test'): RouterRequest {
  return { method: 'GET', host, port: 8000, path, headers: OrderedHeaderMap.fromRaw(['Host', host]) };
}

/** Median µs per match over RUNS runs of RUN_MS. */
function measure(router: Router, req: RouterRequest): number {
  const results: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    let n = 0;
    const started = process.hrtime.bigint();
    const deadline = Date.now() + RUN_MS;
    while (Date.now() < deadline) {
      for (let k = 0; k < 100; k++) router.match(req);
      n += 100;
    }
    if (r > 0) results.push(Number(process.hrtime.bigint() - started) / 1000 / n);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}

function main(): void {
  console.log('routes  request               scan µs   index µs   scan ÷ index');
  for (const size of SIZES) {
    const middle = Math.floor(size / 2) + 1;
    const byPath: Array<[string, RouteEntity[], RouterRequest]> = [
      ['by path, middle', pathCatalogue(size), request(`/api/v1/svc${middle}/items`)],
      ['by path, none', pathCatalogue(size), request('/unknown/path')],
      ['by host, middle', hostCatalogue(size), request('/items', `svc${middle}.example.com`)],
      ['by host, none', hostCatalogue(size), request('/items', 'unknown.example.com')],
    ];
    for (const [label, routes, req] of byPath) {
      const indexed = new Router(routes, [service]);
      const scanning = new Router(routes, [service], { useIndexes: false });
      if (indexed.match(req)?.route.id !== scanning.match(req)?.route.id) throw new Error(`routers disagree on ${req.path}`);
      const scan = measure(scanning, req);
      const index = measure(indexed, req);
      console.log(`${String(size).padStart(6)}  ${label.padEnd(19)} ${scan.toFixed(2).padStart(9)} ${index.toFixed(2).padStart(10)} ${(scan / index).toFixed(1).padStart(13)}×`);
    }
  }
}

main();
