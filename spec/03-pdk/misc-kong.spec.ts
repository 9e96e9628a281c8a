// kong.client, kong.vault, kong.router, kong.node, kong.table, kong.version(_num). Real VM,
// installed through installPdk as the gateway does.
import { expect } from 'chai';
import { makeExchange, ngxHarness } from './ngx-harness';
import type { TestExchange } from './ngx-harness';
import { kongVersionNumber } from '../../src/pdk/misc';
import { KONG_VERSION } from '../../src/proxy/version';

function withRoute(ex: TestExchange, protocols: string[]): TestExchange {
  return {
    ...ex,
    route: {
      routeId: 'r-1', serviceId: 's-1',
      route: { id: 'r-1', name: 'my-route', protocols, paths: ['/r'], strip_path: true },
      service: { id: 's-1', name: 'my-service', host: 'upstream.test', port: 80, protocol: 'http' },
      uriCaptures: null,
    },
  };
}

describe('kong misc PDK (real VM)', () => {
  const h = ngxHarness();

  describe('kong.client', () => {
    it('reports the peer address and port (no trusted IPs: forwarded = peer)', async () => {
      const ex = makeExchange({ remoteAddress: '10.0.0.7', headers: [['Host', 'h'], ['X-Forwarded-For', '1.2.3.4']] });
      expect(await h.values('return kong.client.get_ip(), kong.client.get_forwarded_ip(), kong.client.get_port(), kong.client.get_forwarded_port()', ex))
        .to.deep.equal(['10.0.0.7', '10.0.0.7', 40000, 40000]);
    });

    it('returns the consumer table or nil, and no credential', async () => {
      const ex = { ...makeExchange(), consumer: { id: 'c-1', username: 'alice', custom_id: null } };
      expect(await h.values('local c = kong.client.get_consumer() return c.id, c.username, c.custom_id, kong.client.get_credential()', ex))
        .to.deep.equal(['c-1', 'alice', null, null]);
      expect(await h.values('return kong.client.get_consumer()')).to.deep.equal([null]);
    });

    it('get_protocol: the only route protocol, else the scheme; nil plus message without a route', async () => {
      expect(await h.values('return kong.client.get_protocol()', withRoute(makeExchange(), ['https']))).to.deep.equal(['https']);
      expect(await h.values('return kong.client.get_protocol()', withRoute(makeExchange(), ['http', 'https']))).to.deep.equal(['http']);
      expect(await h.values('return kong.client.get_protocol()', withRoute(makeExchange(), ['grpc', 'grpcs']))).to.deep.equal(['grpc']);
      expect(await h.values('return kong.client.get_protocol()')).to.deep.equal([null, 'No active route found']);
      expect(await h.error('return kong.client.get_protocol("yes")')).to.include('allow_terminated must be a boolean');
    });
  });

  describe('kong.vault', () => {
    const saved = { ...process.env };
    beforeEach(() => {
      process.env.LUAGATE_SPEC_TOKEN = 't0ken';
      process.env.LUAGATE_SPEC_JSON = '{"user":"u1","port":5432}';
    });
    afterEach(() => {
      for (const key of ['LUAGATE_SPEC_TOKEN', 'LUAGATE_SPEC_JSON']) {
        if (saved[key] === undefined) delete process.env[key]; else process.env[key] = saved[key];
      }
    });

    it('resolves env references with Kong naming (upper-case, - becomes _) and JSON keys', async () => {
      expect(await h.values('return kong.vault.get("{vault://env/luagate-spec-token}")')).to.deep.equal(['t0ken']);
      expect(await h.values('return kong.vault.get("{vault://env/luagate_spec_json/user}"), kong.vault.get("{vault://env/luagate-spec-json/port}")'))
        .to.deep.equal(['u1', '5432']);
    });

    it('returns nil and a message for missing variables, other vaults and non-references', async () => {
      const [v1, e1] = await h.values('return kong.vault.get("{vault://env/luagate-spec-missing}")');
      expect(v1).to.equal(null);
      expect(e1).to.include('LUAGATE_SPEC_MISSING');
      const [v2, e2] = await h.values('return kong.vault.get("{vault://aws/secret}")');
      expect(v2).to.equal(null);
      expect(e2).to.include("vault 'aws' is not supported");
      expect(await h.values('return kong.vault.get(42)')).to.deep.equal([null, 'reference must be a string']);
      expect(await h.values('return kong.vault.is_reference("{vault://env/x}"), kong.vault.is_reference("plain"), kong.vault.is_reference(nil)'))
        .to.deep.equal([true, false, false]);
    });
  });

  describe('kong.router', () => {
    it('returns the matched route and service entities, the same table on every call of a request', async () => {
      const ex = withRoute(makeExchange(), ['http']);
      expect(await h.values(`
        local r, s = kong.router.get_route(), kong.router.get_service()
        return r.name, r.protocols[1], r.paths[1], s.name, s.host, s.port, kong.router.get_route() == r`, ex))
        .to.deep.equal(['my-route', 'http', '/r', 'my-service', 'upstream.test', 80, true]);
      expect(await h.values('return kong.router.get_route(), kong.router.get_service()')).to.deep.equal([null, null]);
    });
  });

  describe('kong.node, kong.version', () => {
    it('has a stable UUID node id, the host name and the emulated version', async () => {
      const [id1, hostName, version, versionNum] = await h.values('return kong.node.get_id(), kong.node.get_hostname(), kong.version, kong.version_num');
      const [id2] = await h.values('return kong.node.get_id()');
      expect(id1).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id2).to.equal(id1);
      expect(hostName).to.be.a('string').and.not.equal('');
      expect(version).to.equal(KONG_VERSION);
      expect(versionNum).to.equal(kongVersionNumber(KONG_VERSION));
    });

    it('computes version_num like Kong: format("%d%.2d%.2d", major * 100, minor * 10, patch)', () => {
      expect(kongVersionNumber('3.12.0.0')).to.equal(30012000);
      expect(kongVersionNumber('3.10.1')).to.equal(30010001);
      expect(kongVersionNumber('2.8.1')).to.equal(2008001);
    });
  });

  describe('kong.table', () => {
    it('merge copies shallowly with the second table winning; either may be nil', async () => {
      expect(await h.values(`
        local t1 = {1, 2, 3, foo = "f"}
        local t2 = {4, 5, bar = "b"}
        local t3 = kong.table.merge(t1, t2)
        return t3[1], t3[2], t3[3], t3.foo, t3.bar, t3 ~= t1, kong.table.merge(nil, t2)[1], next(kong.table.merge())`))
        .to.deep.equal([4, 5, 3, 'f', 'b', true, 4, null]);
      expect(await h.error('return kong.table.merge("x")')).to.include('table expected, got string');
    });

    it('new and clear are table.new / table.clear', async () => {
      expect(await h.values('local t = kong.table.new(4, 4) t[1] = 1 t.x = 2 kong.table.clear(t) return next(t), kong.table.new == table.new'))
        .to.deep.equal([null, true]);
    });

    it('is read-only for snippets', async () => {
      expect(await h.error('kong.table.merge = nil')).to.include('Cannot modify kong.table.merge. Protected by the sandbox.');
    });
  });
});
