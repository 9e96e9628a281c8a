import { expect } from 'chai';
import type { RouteEntity, ServiceEntity } from '../../src/config/types';
import { OrderedHeaderMap } from '../../src/proxy/header-map';
import { normalizePath } from '../../src/proxy/request-path';
import { Router, type RouteMatch } from '../../src/proxy/router';
import { route, service } from '../helpers/entities';

const svc: ServiceEntity = service({ host: 'upstream.test', port: 80 });

function router(...routes: RouteEntity[]): Router {
  return new Router(routes, [svc]);
}

function match(r: Router, path: string, opts: { method?: string; host?: string; port?: number;
  headers?: Record<string, string> } = {}): RouteMatch | null {
  return r.match({
    method: opts.method ?? 'GET', host: opts.host ?? 'localhost', port: opts.port ?? 8000, path: normalizePath(path),
    headers: OrderedHeaderMap.fromEntries(Object.entries(opts.headers ?? {})),
  });
}

describe('05-proxy router', () => {
  it('matches prefix paths as plain string prefixes, longest prefix first', () => {
    const short = route({ service: svc.id, paths: ['/a'] });
    const long = route({ service: svc.id, paths: ['/a/b'] });
    const r = router(short, long);
    expect(match(r, '/a/b/c')?.route.id).to.equal(long.id);
    expect(match(r, '/a/bc')?.route.id).to.equal(long.id);
    expect(match(r, '/a/c')?.route.id).to.equal(short.id);
    expect(match(r, '/ab')?.route.id).to.equal(short.id);
    expect(match(r, '/b')).to.equal(null);
  });

  it('is case sensitive on paths', () => {
    const r = router(route({ service: svc.id, paths: ['/Case'] }));
    expect(match(r, '/case')).to.equal(null);
    expect(match(r, '/Case/x')).to.not.equal(null);
  });

  it('evaluates regex paths before prefix paths, anchored at the start', () => {
    const prefix = route({ service: svc.id, paths: ['/users/admin'] });
    const regex = route({ service: svc.id, paths: ['~/users/\\d+$'] });
    const r = router(prefix, regex);
    expect(match(r, '/users/42')?.route.id).to.equal(regex.id);
    expect(match(r, '/x/users/42')).to.equal(null);
    expect(match(r, '/users/admin')?.route.id).to.equal(prefix.id);
  });

  it('orders regex routes by regex_priority, then configuration order', () => {
    const first = route({ service: svc.id, paths: ['~/v\\d'] });
    const second = route({ service: svc.id, paths: ['~/v1'] });
    const boosted = route({ service: svc.id, paths: ['~/v[0-9]+'], regex_priority: 10 });
    expect(match(router(first, second), '/v1')?.route.id).to.equal(first.id);
    expect(match(router(first, second, boosted), '/v1')?.route.id).to.equal(boosted.id);
  });

  it('exposes numbered and named captures of the matching regex', () => {
    const r = router(route({ service: svc.id, paths: ['~/orders/(?<order_id>\\d+)/items/(\\w+)'] }));
    const m = match(r, '/orders/17/items/abc/more');
    expect(m?.uriCaptures?.unnamed).to.deep.equal(['/orders/17/items/abc', '17', 'abc']);
    expect(m?.uriCaptures?.named).to.deep.equal({ order_id: '17' });
    expect(m?.matchedPrefix).to.equal('/orders/17/items/abc');
  });

  it('accepts the PCRE (?P<name>) spelling of named groups', () => {
    const r = router(route({ service: svc.id, paths: ['~/p/(?P<id>[a-z]+)'] }));
    expect(match(r, '/p/xyz')?.uriCaptures?.named).to.deep.equal({ id: 'xyz' });
  });

  it('matches hosts exactly, by leading and trailing wildcard, and with a port', () => {
    const exact = route({ service: svc.id, hosts: ['api.example.com'] });
    const leading = route({ service: svc.id, hosts: ['*.example.org'] });
    const trailing = route({ service: svc.id, hosts: ['example.*'] });
    const withPort = route({ service: svc.id, hosts: ['ported.test:8443'] });
    const r = router(exact, leading, trailing, withPort);
    expect(match(r, '/', { host: 'api.example.com' })?.route.id).to.equal(exact.id);
    expect(match(r, '/', { host: 'a.b.example.org' })?.route.id).to.equal(leading.id);
    expect(match(r, '/', { host: 'example.org' })?.route.id).to.equal(trailing.id);
    expect(match(r, '/', { host: 'example.net' })?.route.id).to.equal(trailing.id);
    expect(match(r, '/', { host: 'other.test' })).to.equal(null);
    expect(match(r, '/', { host: 'ported.test', port: 8443 })?.route.id).to.equal(withPort.id);
    expect(match(r, '/', { host: 'ported.test', port: 8000 })).to.equal(null);
  });

  it('prefers plain hosts over wildcard hosts', () => {
    const wildcard = route({ service: svc.id, hosts: ['*.example.com'] });
    const plain = route({ service: svc.id, hosts: ['www.example.com'] });
    expect(match(router(wildcard, plain), '/', { host: 'www.example.com' })?.route.id).to.equal(plain.id);
  });

  it('matches methods and prefers routes with more matching fields', () => {
    const any = route({ service: svc.id, paths: ['/m'] });
    const post = route({ service: svc.id, paths: ['/m'], methods: ['POST'] });
    const r = router(any, post);
    expect(match(r, '/m', { method: 'POST' })?.route.id).to.equal(post.id);
    expect(match(r, '/m', { method: 'GET' })?.route.id).to.equal(any.id);
    const onlyPost = router(post);
    expect(match(onlyPost, '/m', { method: 'GET' })).to.equal(null);
  });

  it('matches headers case-insensitively, by value or by ~* regex, and prefers more headers', () => {
    const plain = route({ service: svc.id, paths: ['/h'] });
    const v2 = route({ service: svc.id, paths: ['/h'], headers: { 'X-Version': ['v2', 'V3'] } });
    const beta = route({ service: svc.id, paths: ['/h'], headers: { 'x-version': ['~*^beta-\\d+$'], 'x-tenant': ['acme'] } });
    const r = router(plain, v2, beta);
    expect(match(r, '/h', { headers: { 'x-version': 'V2' } })?.route.id).to.equal(v2.id);
    expect(match(r, '/h', { headers: { 'x-version': 'v3' } })?.route.id).to.equal(v2.id);
    expect(match(r, '/h', { headers: { 'x-version': 'BETA-7', 'X-Tenant': 'ACME' } })?.route.id).to.equal(beta.id);
    expect(match(r, '/h', { headers: { 'x-version': 'beta-7' } })?.route.id).to.equal(plain.id);
    expect(match(r, '/h', { headers: { 'x-version': 'v4' } })?.route.id).to.equal(plain.id);
  });

  it('ranks a route with more matching fields above a regex route', () => {
    const regex = route({ service: svc.id, paths: ['~/r'] });
    const hostAndPrefix = route({ service: svc.id, paths: ['/r'], hosts: ['h.test'] });
    expect(match(router(regex, hostAndPrefix), '/r', { host: 'h.test' })?.route.id).to.equal(hostAndPrefix.id);
  });

  it('splits a route with mixed paths so each path group ranks on its own', () => {
    const mixed = route({ service: svc.id, paths: ['/x', '~/y/\\d+'] });
    const mid = route({ service: svc.id, paths: ['/x/long'] });
    const r = router(mixed, mid);
    expect(match(r, '/x/long/1')?.route.id).to.equal(mid.id);
    expect(match(r, '/y/1')?.route.id).to.equal(mixed.id);
    expect(match(r, '/x/1')?.route.id).to.equal(mixed.id);
  });

  it('routes the normalized path (dot segments, repeated slashes, unreserved escapes)', () => {
    const r = router(route({ service: svc.id, paths: ['/norm/ok'] }));
    expect(match(r, '/norm/x/../ok')).to.not.equal(null);
    expect(match(r, '//norm//ok')).to.not.equal(null);
    expect(match(r, '/norm/%6Fk')).to.not.equal(null);
    expect(match(r, '/norm%2Fok')).to.equal(null);
  });

  it('skips routes of disabled services and routes without http protocols', () => {
    const off = service({ host: 'off.test', port: 80, enabled: false });
    const r = new Router([
      route({ service: off.id, paths: ['/off'] }),
      route({ service: svc.id, paths: ['/grpc'], protocols: ['grpc'] }),
    ], [svc, off]);
    expect(match(r, '/off')).to.equal(null);
    expect(match(r, '/grpc')).to.equal(null);
  });
});

describe('05-proxy router: host and prefix indexes', () => {
  // A small deterministic generator, so a failure names a reproducible case.
  function generator(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  function pick<T>(next: () => number, items: readonly T[]): T {
    return items[Math.floor(next() * items.length)];
  }

  const SEGMENTS = ['', '/', '/a', '/ab', '/a/b', '/a/bc', '/b', '/api', '/api/v1', '/api/v1/users', '/x~', '/é'];
  const REGEXES = ['~/a/(?<id>\\d+)$', '~/api/v[0-9]+/', '~/b', '~/(x|y)+/z'];
  const HOSTS = ['a.test', '*.test', 'b.*', 'a.test:8000', 'c.test:9000'];

  function randomRoute(next: () => number): RouteEntity {
    const paths: string[] = [];
    const pathCount = Math.floor(next() * 4);
    for (let i = 0; i < pathCount; i++) {
      if (next() < 0.2) paths.push(pick(next, REGEXES));
      else paths.push(pick(next, SEGMENTS.slice(1)) + pick(next, SEGMENTS));
    }
    return route({
      service: svc.id,
      paths: paths.length > 0 ? paths : null,
      methods: next() < 0.3 ? [pick(next, ['GET', 'POST'])] : null,
      hosts: next() < 0.3 ? [pick(next, HOSTS)] : null,
      headers: next() < 0.15 ? { 'x-v': [pick(next, ['1', '2'])] } : null,
      regex_priority: Math.floor(next() * 3),
      strip_path: next() < 0.5,
    });
  }

  it('picks the same route, prefix, captures and upstream path as testing every route in order', () => {
    const next = generator(20261122);
    let compared = 0;
    let matched = 0;
    for (let config = 0; config < 60; config++) {
      const routes = Array.from({ length: 1 + Math.floor(next() * 40) }, () => randomRoute(next));
      const indexed = new Router(routes, [svc]);
      const reference = new Router(routes, [svc], { useIndexes: false });
      for (let request = 0; request < 80; request++) {
        const path = pick(next, SEGMENTS.slice(1)) + pick(next, SEGMENTS) + pick(next, ['', '/', '/7', '/z', 'q']);
        const opts = {
          method: pick(next, ['GET', 'POST', 'PUT']),
          host: pick(next, ['a.test', 'x.test', 'b.org', 'c.test', 'localhost']),
          port: pick(next, [8000, 9000]),
          headers: (next() < 0.5 ? { 'x-v': pick(next, ['1', '2']) } : {}) as Record<string, string>,
        };
        const got = match(indexed, path, opts);
        const want = match(reference, path, opts);
        const where = `config ${config}, request ${request}: ${opts.method} ${opts.host}:${opts.port} ${path}`;
        expect(got?.route.id ?? null, where).to.equal(want?.route.id ?? null);
        expect(got?.matchedPrefix, where).to.equal(want?.matchedPrefix);
        expect(got?.upstreamPath, where).to.equal(want?.upstreamPath);
        expect(got?.uriCaptures, where).to.deep.equal(want?.uriCaptures);
        compared++;
        if (want) matched++;
      }
    }
    expect(compared).to.equal(60 * 80);
    // The generator must exercise both outcomes for the comparison to mean anything.
    expect(matched).to.be.greaterThan(compared / 4);
    expect(compared - matched).to.be.greaterThan(compared / 20);
  });

  it('finds a route among thousands by its prefix, and still honours priority across lengths', () => {
    const many = Array.from({ length: 3000 }, (_, i) => route({ service: svc.id, paths: [`/svc${i}`, `/alias${i}/`] }));
    const catchAll = route({ service: svc.id, paths: ['/'] });
    const regex = route({ service: svc.id, paths: ['~/svc12/special$'] });
    const r = router(catchAll, ...many, regex);
    expect(match(r, '/svc1234/x')?.route.id).to.equal(many[1234].id);
    expect(match(r, '/svc1234/x')?.matchedPrefix).to.equal('/svc1234');
    // '/svc12' and '/svc123' both start '/svc1234': the longest prefix wins.
    expect(match(r, '/svc123')?.route.id).to.equal(many[123].id);
    expect(match(r, '/alias7/y')?.matchedPrefix).to.equal('/alias7/');
    expect(match(r, '/alias7')?.route.id).to.equal(catchAll.id);
    expect(match(r, '/svc12/special')?.route.id).to.equal(regex.id);
    expect(match(r, '/nothing')?.route.id).to.equal(catchAll.id);
  });

  it('finds a route among thousands by its host, with wildcards, ports and paths still ranked', () => {
    const byHost = Array.from({ length: 2000 }, (_, i) => route({ service: svc.id, hosts: [`svc${i}.example.com`, `alias${i}.test`] }));
    const wildcard = route({ service: svc.id, hosts: ['*.example.com'] });
    const withPath = route({ service: svc.id, hosts: ['svc5.example.com'], paths: ['/v2'] });
    const withPort = route({ service: svc.id, hosts: ['svc6.example.com:9000'] });
    // Equal rank: configuration order decides, so the ported route is listed first.
    const r = router(wildcard, withPort, ...byHost, withPath);
    expect(match(r, '/', { host: 'svc1500.example.com' })?.route.id).to.equal(byHost[1500].id);
    expect(match(r, '/', { host: 'alias1500.test' })?.route.id).to.equal(byHost[1500].id);
    expect(match(r, '/', { host: 'other.example.com' })?.route.id).to.equal(wildcard.id);
    expect(match(r, '/v2/x', { host: 'svc5.example.com' })?.route.id).to.equal(withPath.id);
    expect(match(r, '/v1', { host: 'svc5.example.com' })?.route.id).to.equal(byHost[5].id);
    expect(match(r, '/', { host: 'svc6.example.com', port: 9000 })?.route.id).to.equal(withPort.id);
    expect(match(r, '/', { host: 'svc6.example.com', port: 8000 })?.route.id).to.equal(byHost[6].id);
    expect(match(r, '/', { host: 'nowhere.test' })).to.equal(null);
  });
});
