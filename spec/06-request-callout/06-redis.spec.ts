// Redis cache through two luagate processes: shared entries, and Redis dying mid-run.
import { expect } from 'chai';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server';
import { httpCall } from '../helpers/servers';
import { calloutConfig, echoOf } from './support/kong-config';
import { startFixtures, stopFixtures, type Fixtures } from './support/harness';
import { startLuagate, type Luagate } from './support/luagate-cli';

describe('request-callout: redis cache across luagate instances', function () {
  this.timeout(60_000);
  let f: Fixtures;
  let redis: RedisServerHandle;
  let gateways: Luagate[] = [];
  let serial = 0;
  before(async () => {
    f = await startFixtures();
    redis = await startRedisServer();
    f.mock.on('/id', () => ({ body: { id: `id-${++serial}` } }));
  });
  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await redis.stop();
    await stopFixtures(f);
  });

  const config = (): unknown => calloutConfig(f.upstream.url, {
    cache: { strategy: 'redis', cache_ttl: 300, redis: { host: '127.0.0.1', port: redis.port } },
    callouts: [{ name: 'c', request: { url: `${f.mock.url}/id`, query: { forward: true } }, response: { body: { decode: true } } }],
    upstream: { headers: { custom: { 'X-Id': '$(callouts.c.response.body.id)' } } },
  });

  const idVia = async (gw: Luagate, query: string): Promise<string> => {
    const res = await httpCall(`${gw.url}/r?${query}`, { agent: false });
    expect(res.status, res.body).to.equal(200);
    return echoOf(res.body).headers['x-id'] as string;
  };

  it('RC-23 (redis) an entry stored by one instance is a hit in the other', async () => {
    gateways = [await startLuagate(config()), await startLuagate(config())];
    const first = await idVia(gateways[0], 'k=shared');
    const second = await idVia(gateways[1], 'k=shared');
    expect(second).to.equal(first);
    expect(f.mock.count('/id')).to.equal(1);
  });

  it('Redis killed mid-run: requests are still served (cache misses), and hits resume after restart', async () => {
    const before = f.mock.count('/id');
    await redis.kill();
    const ids = [await idVia(gateways[0], 'k=down'), await idVia(gateways[1], 'k=down')];
    expect(ids[0]).to.not.equal(ids[1]);
    expect(f.mock.count('/id')).to.equal(before + 2);
    await redis.restart();
    const deadline = Date.now() + 15_000;
    let stored = '';
    let again = '';
    // Reconnection is asynchronous: repeat until one instance stores and the other hits.
    while (Date.now() < deadline) {
      stored = await idVia(gateways[0], 'k=after');
      again = await idVia(gateways[1], 'k=after');
      if (stored === again) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again).to.equal(stored);
  });
});
