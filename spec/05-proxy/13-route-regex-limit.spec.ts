import { expect } from 'chai';
import type { RouteEntity, ServiceEntity } from '../../src/config/types';
import { setIsolation } from '../../src/pdk/ngx/regex/backtrack-bound';
import { OrderedHeaderMap } from '../../src/proxy/header-map';
import { Router, type RegexLimitListener, type RouteMatch } from '../../src/proxy/router';
import { declarative, route, service } from '../helpers/entities';
import { startGateway } from '../helpers/gateway';
import { httpCall, startEchoServer } from '../helpers/servers';

const svc: ServiceEntity = service({ host: 'upstream.test', port: 80 });
/** Exponential backtracking on a run of a's that does not end the path. */
const RUNAWAY = '~/(a+)+$';
const ATTACK = `/${'a'.repeat(40)}!`;

function match(r: Router, path: string, listener?: RegexLimitListener): RouteMatch | null {
  return r.match({ method: 'GET', host: 'localhost', port: 8000, path, headers: OrderedHeaderMap.fromEntries([]),
    regexLimit: listener });
}

describe('05-proxy route regex paths on client paths that make them backtrack', function () {
  this.timeout(20_000);

  it('stops a runaway route regex at its limit: that route does not match, the next one does, the listener hears', () => {
    const runaway: RouteEntity = route({ service: svc.id, paths: [RUNAWAY] });
    const fallback: RouteEntity = route({ service: svc.id, paths: ['/'] });
    const r = new Router([runaway, fallback], [svc]);
    const stopped: string[] = [];
    const m = match(r, ATTACK, { routeRegexStopped: (id, pattern, ms) => { stopped.push(`${id} ${pattern} ${ms}`); } });
    expect(m?.route.id).to.equal(fallback.id);
    expect(stopped).to.deep.equal([`${runaway.id} ${RUNAWAY} 100`]);
    // The same regex matches a path it can settle quickly.
    expect(match(r, '/aaaa')?.route.id).to.equal(runaway.id);
  });

  it('gives the same captures when a match runs isolated as in place (numbered, named, unmatched groups)', () => {
    const r = new Router([route({ service: svc.id, paths: ['~/orders/(?<order_id>\\d+)(/x)?/items/(\\w+)'] })], [svc]);
    const inPlace = match(r, '/orders/17/items/abc/more');
    setIsolation('always');
    try {
      const isolated = match(r, '/orders/17/items/abc/more');
      expect(isolated?.uriCaptures).to.deep.equal(inPlace?.uriCaptures);
      expect(isolated?.matchedPrefix).to.equal(inPlace?.matchedPrefix);
    } finally {
      setIsolation('bound');
    }
    expect(inPlace?.uriCaptures).to.deep.equal({ unnamed: ['/orders/17/items/abc', '17', '', 'abc'], named: { order_id: '17' } });
  });

  it('end to end: the attack path gets the fallback route, the stop is logged, the gateway keeps serving', async () => {
    const echo = await startEchoServer();
    const upstream = service({ host: '127.0.0.1', port: echo.port });
    const runaway = route({ service: upstream.id, paths: [RUNAWAY] });
    const gw = await startGateway(declarative({ services: [upstream], routes: [runaway] }));
    try {
      const attacked = await httpCall(`${gw.url}${ATTACK}`);
      expect(attacked.status).to.equal(404);
      expect(gw.errorLines.some((line) => line.includes(`route ${runaway.id}: regex path '${RUNAWAY}' stopped after 100 ms`))).to.equal(true);
      expect((await httpCall(`${gw.url}/aaa`)).status).to.equal(200);
    } finally {
      await gw.stop();
      await echo.close();
    }
  });
});
