import { expect } from 'chai';
import Redis from 'ioredis';
import { CacheConfigError, createCalloutCache, type CachedEntry, type CalloutCache, type CalloutCacheConfig,
  type RedisCacheConfig } from '../../src/cache';
import { readFileSync } from 'fs';
import { freePort, selfSignedCertificate, startRedisServer, type RedisServerHandle } from '../helpers/redis-server';
import { collectingLogger, inOtherInstance, pollUntil, type CollectedLog } from './support';

const entry: CachedEntry = { status: 200, headers: { 'content-type': 'application/json', 'x-multi': ['1', '2'] },
  body: { id: 42, nested: { list: [1, 'two', null] } } };

describe('cache: redis strategy (real redis-server)', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  const opened: CalloutCache[] = [];

  const redisConfig = (redis: RedisCacheConfig = {}): CalloutCacheConfig =>
    ({ strategy: 'redis', redis: { host: '127.0.0.1', port: server.port, ...redis }, cache_ttl: 300 });
  const open = (config: CalloutCacheConfig, logger: CollectedLog = collectingLogger()): CalloutCache => {
    const cache = createCalloutCache(config, logger.log);
    if (cache === undefined) throw new Error('redis strategy returned no cache');
    opened.push(cache);
    return cache;
  };

  before(async () => {
    server = await startRedisServer();
    admin = new Redis({ host: '127.0.0.1', port: server.port, protocol: 2 });
  });
  after(async () => {
    admin.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it('stores and returns an entry under exactly one namespaced key', async () => {
    const cache = open(redisConfig());
    await cache.set('request-callout:abc', entry, 300);
    expect(await cache.get('request-callout:abc')).to.deep.equal(entry);
    expect(await cache.get('request-callout:missing')).to.equal(undefined);
    expect(await admin.keys('*')).to.deep.equal(['request-callout:abc']);
  });

  it('applies the ttl with EX', async () => {
    const cache = open(redisConfig());
    await cache.set('request-callout:ttl', entry, 120);
    const ttl = await admin.ttl('request-callout:ttl');
    expect(ttl).to.be.within(1, 120);
  });

  it('round-trips binary string bodies and byte bodies', async () => {
    const cache = open(redisConfig());
    const binary = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    await cache.set('request-callout:bin', { status: 200, body: binary }, 60);
    await cache.set('request-callout:bytes', { status: 200, body: Buffer.from([0, 0xff, 0x80]) }, 60);
    expect((await cache.get('request-callout:bin'))?.body).to.equal(binary);
    expect([...((await cache.get('request-callout:bytes'))?.body as Buffer)]).to.deep.equal([0, 0xff, 0x80]);
  });

  it('treats a foreign value under the key as a miss, with a warning', async () => {
    const logger = collectingLogger();
    const cache = open(redisConfig(), logger);
    await admin.set('request-callout:foreign', 'not json');
    expect(await cache.get('request-callout:foreign')).to.equal(undefined);
    expect(logger.warnings().join('\n')).to.contain('stored value is not JSON');
  });

  it('shares one connection between caches with an identical redis config', async () => {
    const a = open(redisConfig());
    const b = open(redisConfig());
    await a.set('request-callout:s', entry, 60);
    expect(await b.get('request-callout:s')).to.deep.equal(entry);
    const clients = (await admin.client('LIST')) as string;
    expect(clients.split('\n').filter((line) => line.includes('name=luagate-request-callout'))).to.have.length(1);
  });

  it('shares entries between two independent gateway processes', async () => {
    const config = redisConfig();
    const written = await inOtherInstance(config, ['set', 'request-callout:cross', JSON.stringify(entry), '60']);
    expect(written.pid).to.not.equal(process.pid);
    expect(await open(config).get('request-callout:cross')).to.deep.equal(entry);
    await open(config).set('request-callout:back', { status: 201, body: 'from parent' }, 60);
    const read = await inOtherInstance(config, ['get', 'request-callout:back']);
    expect(read.result).to.deep.equal({ status: 201, body: 'from parent' });
    expect(read.warnings).to.deep.equal([]);
  });

  it('rejects an inconsistent redis record at creation with a typed error', () => {
    expect(() => createCalloutCache(redisConfig({ sentinel_master: 'm', sentinel_role: 'master' }), collectingLogger().log))
      .to.throw(CacheConfigError, /sentinel_nodes/);
    expect(() => createCalloutCache({ strategy: 'disk' as never }, collectingLogger().log))
      .to.throw(CacheConfigError, /cache.strategy/);
  });

  it('opens the connection lazily, on first use', async () => {
    const before = ((await admin.client('LIST')) as string).includes('luagate-request-callout');
    const cache = open(redisConfig());
    const afterCreate = ((await admin.client('LIST')) as string).includes('luagate-request-callout');
    await cache.get('request-callout:x');
    const afterUse = ((await admin.client('LIST')) as string).includes('luagate-request-callout');
    expect([before, afterCreate, afterUse]).to.deep.equal([false, false, true]);
  });
});

describe('cache: redis authentication and database selection', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  const opened: CalloutCache[] = [];
  const open = (redis: RedisCacheConfig, logger: CollectedLog = collectingLogger()): CalloutCache => {
    const cache = createCalloutCache({ strategy: 'redis', redis: { host: '127.0.0.1', port: server.port, ...redis } },
      logger.log)!;
    opened.push(cache);
    return cache;
  };

  before(async () => {
    server = await startRedisServer({ password: 's3cret' });
    admin = new Redis({ host: '127.0.0.1', port: server.port, password: 's3cret', protocol: 2 });
    await admin.call('ACL', 'SETUSER', 'gateway', 'on', '>gw-pass', '~request-callout:*', '+@all');
  });
  after(async () => {
    admin.disconnect();
    await server.stop();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it('authenticates with password and writes into the configured database', async () => {
    const cache = open({ password: 's3cret', database: 3 });
    await cache.set('request-callout:db', entry, 60);
    expect(await cache.get('request-callout:db')).to.deep.equal(entry);
    const db3 = new Redis({ host: '127.0.0.1', port: server.port, password: 's3cret', db: 3, protocol: 2 });
    try {
      expect(await db3.exists('request-callout:db')).to.equal(1);
    } finally {
      db3.disconnect();
    }
    expect(await admin.exists('request-callout:db')).to.equal(0);
  });

  it('authenticates as an ACL user with username and password', async () => {
    const cache = open({ username: 'gateway', password: 'gw-pass' });
    await cache.set('request-callout:acl', entry, 60);
    expect(await cache.get('request-callout:acl')).to.deep.equal(entry);
    expect(await admin.exists('request-callout:acl')).to.equal(1);
  });

  it('with a wrong password: misses, drops writes, and warns', async () => {
    const logger = collectingLogger();
    const cache = open({ password: 'wrong' }, logger);
    await cache.set('request-callout:nope', entry, 60);
    expect(await cache.get('request-callout:nope')).to.equal(undefined);
    expect(await admin.exists('request-callout:nope')).to.equal(0);
    expect(logger.warnings().length).to.be.greaterThan(0);
    expect(logger.warnings()[0]).to.match(/WRONGPASS|invalid username-password|not connected/i);
  });
});

describe('cache: redis failures never fail a request', () => {
  const opened: CalloutCache[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });
  const open = (port: number, redis: RedisCacheConfig, logger: CollectedLog): CalloutCache => {
    const cache = createCalloutCache({ strategy: 'redis', redis: { host: '127.0.0.1', port, ...redis } }, logger.log)!;
    opened.push(cache);
    return cache;
  };
  // Timeouts far above mocha's 30 s test timeout: a test only passes if nothing waits for them.
  const slowTimeouts = { connect_timeout: 120_000, send_timeout: 120_000, read_timeout: 120_000 };

  it('a Redis that was never reachable: misses and drops after the first connect attempt, one warning', async () => {
    const logger = collectingLogger();
    const cache = open(await freePort(), { connect_timeout: 2000, send_timeout: 2000, read_timeout: 2000 }, logger);
    for (let i = 0; i < 20; i++) {
      expect(await cache.get(`request-callout:${i}`)).to.equal(undefined);
      await cache.set(`request-callout:${i}`, entry, 60);
    }
    expect(logger.warnings()).to.have.length(1);
    expect(logger.warnings()[0]).to.match(/ECONNREFUSED|not connected/);
  });

  it('Redis killed mid-run: get misses at once, set does not throw, warnings are throttled; recovers after restart', async () => {
    const server = await startRedisServer();
    try {
      const logger = collectingLogger();
      const cache = open(server.port, slowTimeouts, logger);
      await cache.set('request-callout:before', entry, 60);
      expect(await cache.get('request-callout:before')).to.deep.equal(entry);

      await server.kill();
      for (let i = 0; i < 50; i++) {
        expect(await cache.get('request-callout:before')).to.equal(undefined);
        await cache.set(`request-callout:during-${i}`, entry, 60);
      }
      expect(logger.warnings()).to.have.length(1);

      await server.restart();
      const recovered = await pollUntil(async () => {
        await cache.set('request-callout:after', entry, 60);
        return cache.get('request-callout:after');
      }, (hit) => hit !== undefined, 15_000);
      expect(recovered).to.deep.equal(entry);
      expect(logger.lines.some(([level, message]) => level === 'info' && message.includes('reconnected'))).to.equal(true);
    } finally {
      await server.stop();
    }
  });

  it('a hung Redis (SIGSTOP): get misses after read_timeout, set does not throw; works again once resumed', async () => {
    const server = await startRedisServer();
    try {
      const logger = collectingLogger();
      const cache = open(server.port, { connect_timeout: 1000, send_timeout: 300, read_timeout: 300 }, logger);
      await cache.set('request-callout:hang', entry, 60);
      server.pause();
      try {
        expect(await cache.get('request-callout:hang')).to.equal(undefined);
        await cache.set('request-callout:hang2', entry, 60);
        expect(logger.warnings().join('\n')).to.match(/timed out/i);
      } finally {
        server.resume();
      }
      const back = await pollUntil(() => cache.get('request-callout:hang'), (hit) => hit !== undefined, 10_000);
      expect(back).to.deep.equal(entry);
    } finally {
      await server.stop();
    }
  });
});

describe('cache: redis over TLS', () => {
  let server: RedisServerHandle;
  let certificate: string;
  const opened: CalloutCache[] = [];
  const open = (redis: RedisCacheConfig, logger: CollectedLog, trustedCa?: string): CalloutCache => {
    const cache = createCalloutCache({ strategy: 'redis', redis: { host: '127.0.0.1', port: server.tlsPort, ssl: true, ...redis } },
      logger.log, { trustedCa })!;
    opened.push(cache);
    return cache;
  };

  before(async () => {
    const tls = await selfSignedCertificate('redis.test');
    certificate = readFileSync(tls.certFile, 'utf8');
    server = await startRedisServer({ tls });
  });
  after(async () => {
    await server.stop();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it('ssl without ssl_verify: connects to a self-signed server', async () => {
    const cache = open({ ssl_verify: false }, collectingLogger());
    await cache.set('request-callout:tls', entry, 60);
    expect(await cache.get('request-callout:tls')).to.deep.equal(entry);
  });

  it('ssl_verify with the trusted CA and server_name: connects', async () => {
    const cache = open({ ssl_verify: true, server_name: 'redis.test' }, collectingLogger(), certificate);
    await cache.set('request-callout:tls-verified', entry, 60);
    expect(await cache.get('request-callout:tls-verified')).to.deep.equal(entry);
  });

  it('ssl_verify against an untrusted certificate: misses with a warning', async () => {
    const logger = collectingLogger();
    const cache = open({ ssl_verify: true, server_name: 'redis.test' }, logger);
    await cache.set('request-callout:tls-untrusted', entry, 60);
    expect(await cache.get('request-callout:tls-untrusted')).to.equal(undefined);
    expect(logger.warnings().join('\n')).to.match(/self.signed|certificate/i);
  });

  it('ssl_verify with a server_name the certificate does not cover: misses with a warning', async () => {
    const logger = collectingLogger();
    const cache = open({ ssl_verify: true, server_name: 'other.test' }, logger, certificate);
    expect(await cache.get('request-callout:tls-wrong-name')).to.equal(undefined);
    expect(logger.warnings().join('\n')).to.match(/other\.test|altnames/i);
  });
});
