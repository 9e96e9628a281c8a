// RC-28: the authenticated consumer is part of the default cache key. luagate ships no
// authentication plugin, so the proxy never identifies a consumer; this case drives the plugin
// instance directly with an in-memory Exchange carrying a consumer (real VM, real callout server).
import { expect } from 'chai';
import { normalizePluginConfig } from '../../src/config';
import { defaultSettings } from '../../src/config/settings';
import type { PluginEntity } from '../../src/config/types';
import { createLuaEngine } from '../../src/plugins/registry';
import { requestCalloutFactory } from '../../src/plugins/request-callout';
import type { PluginInstance } from '../../src/plugins/plugin';
import { makeExchange } from '../03-pdk/support';
import { startCalloutMock, type CalloutMock } from './support/callout-mock';

/** A request-callout instance built from `config` as luagate builds one (real engine, sandbox mode). */
function createInstance(id: string, config: Record<string, unknown>): PluginInstance {
  const settings = defaultSettings();
  const entity: PluginEntity = { id, name: 'request-callout', enabled: true, protocols: ['http'], route: null,
    service: null, consumer: null, config: normalizePluginConfig('request-callout', config, { untrustedLua: 'sandbox' }), tags: [] };
  return requestCalloutFactory.create(entity, {
    engine: createLuaEngine(settings), settings, logger: { log: () => undefined, enabled: () => false },
  });
}

describe('request-callout: consumer in the default cache key (plugin API)', () => {
  let mock: CalloutMock;
  let instance: PluginInstance;
  before(async () => {
    mock = await startCalloutMock();
    instance = createInstance('p-28', {
      cache: { strategy: 'memory' },
      callouts: [{ name: 'c', request: { url: `${mock.url}/who` } }],
    });
  });
  after(async () => {
    await instance.close?.();
    await mock.close();
  });

  it('RC-28 consumers A, B, A: two callouts, the third request is served from the cache', async () => {
    for (const consumer of ['A', 'B', 'A']) {
      const exchange = { ...makeExchange({ captures: null }), consumer: { id: consumer, username: consumer } };
      await instance.access(exchange);
      expect(exchange.response.exit).to.equal(null);
    }
    expect(mock.count('/who')).to.equal(2);
  });
});

describe('request-callout: a memory-cache hit finishes access() without waiting (plugin API)', () => {
  let mock: CalloutMock;
  let instance: PluginInstance;
  before(async () => {
    mock = await startCalloutMock();
    instance = createInstance('p-sync', {
      cache: { strategy: 'memory' },
      callouts: [{ name: 'c', request: { url: `${mock.url}/sync-hit` }, response: { body: { decode: true } } }],
      upstream: { headers: { custom: { 'X-From-Callout': '$(callouts.c.response.status)' } } },
    });
  });
  after(async () => {
    await instance.close?.();
    await mock.close();
  });

  it('the miss returns a promise; the hit returns at once with the upstream edits applied', async () => {
    const first = makeExchange({ captures: null });
    const miss = instance.access(first);
    expect(miss).to.be.instanceOf(Promise);
    await miss;
    const second = makeExchange({ captures: null });
    const hit = instance.access(second);
    expect(hit).to.equal(undefined);
    expect(second.upstream.headers.get('X-From-Callout')).to.equal('200');
    expect(mock.count('/sync-hit')).to.equal(1);
  });
});
