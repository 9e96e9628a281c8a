import { expect } from 'chai';
import Redis from 'ioredis';
import { createCalloutCache, type CachedEntry, type CalloutCache, type RedisCacheConfig } from '../../src/cache';
import { startRedisCluster, startSentinelSetup, type ClusterSetup, type SentinelSetup } from '../helpers/redis-server';
import { collectingLogger, pollUntil, type CollectedLog } from './support';

const entry: CachedEntry = { status: 200, headers: { via: 'sentinel' }, body: 'cached body' };

describe('cache: redis sentinel (real redis-server --sentinel)', () => {
  let setup: SentinelSetup;
  let master: Redis;
  const opened: CalloutCache[] = [];
  const open = (redis: RedisCacheConfig, logger: CollectedLog = collectingLogger()): CalloutCache => {
    const cache = createCalloutCache({ strategy: 'redis', redis }, logger.log)!;
    opened.push(cache);
    return cache;
  };
  const sentinelConfig = (role: 'master' | 'slave' | 'any'): RedisCacheConfig => ({
    sentinel_master: setup.masterName,
    sentinel_role: role,
    sentinel_nodes: [{ host: '127.0.0.1', port: setup.sentinel.port }],
    sentinel_password: 'sentinel-pass',
    password: 'data-pass',
  });

  before(async () => {
    setup = await startSentinelSetup({ password: 'data-pass', sentinelPassword: 'sentinel-pass' });
    master = new Redis({ host: '127.0.0.1', port: setup.master.port, password: 'data-pass', protocol: 2 });
  });
  after(async () => {
    master.disconnect();
    await setup.stop();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it('role master: resolves the master through the sentinel and stores there', async () => {
    const cache = open(sentinelConfig('master'));
    await cache.set('request-callout:sentinel', entry, 60);
    expect(await cache.get('request-callout:sentinel')).to.deep.equal(entry);
    expect(await master.exists('request-callout:sentinel')).to.equal(1);
  });

  it('role any: uses the master, so writes succeed', async () => {
    const cache = open(sentinelConfig('any'));
    await cache.set('request-callout:any', entry, 60);
    expect(await master.exists('request-callout:any')).to.equal(1);
  });

  it('role slave: reads replicated entries from the replica; writes are dropped with a warning', async () => {
    await master.set('request-callout:replicated', JSON.stringify({ v: 1, s: 203 }), 'EX', 60);
    const logger = collectingLogger();
    const cache = open(sentinelConfig('slave'), logger);
    const hit = await pollUntil(() => cache.get('request-callout:replicated'), (v) => v !== undefined, 10_000);
    expect(hit).to.deep.equal({ status: 203 });
    await cache.set('request-callout:from-replica', entry, 60);
    expect(await master.exists('request-callout:from-replica')).to.equal(0);
    expect(logger.warnings().join('\n')).to.match(/READONLY/);
  });
});

describe('cache: redis cluster (3 real nodes)', () => {
  let cluster: ClusterSetup;
  let cache: CalloutCache;

  before(async () => {
    cluster = await startRedisCluster();
    cache = createCalloutCache({
      strategy: 'redis',
      redis: { cluster_nodes: [{ ip: '127.0.0.1', port: cluster.nodes[0].port }], cluster_max_redirections: 5 },
    }, collectingLogger().log)!;
  });
  after(async () => {
    await cache.close();
    await cluster.stop();
  });

  it('spreads entries over the slots of all nodes and reads them back', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `request-callout:cluster-${i}`);
    for (const [i, key] of keys.entries()) await cache.set(key, { status: 200, body: `v${i}` }, 60);
    for (const [i, key] of keys.entries()) expect((await cache.get(key))?.body).to.equal(`v${i}`);
    const perNode = await Promise.all(cluster.nodes.map(async (node) => {
      const direct = new Redis({ host: '127.0.0.1', port: node.port, protocol: 2 });
      try {
        return await direct.dbsize();
      } finally {
        direct.disconnect();
      }
    }));
    expect(perNode.reduce((a, b) => a + b, 0)).to.equal(keys.length);
    expect(perNode.every((count) => count > 0)).to.equal(true);
  });
});
