import { expect } from 'chai';
import { loadDeclarativeConfig } from '../../src/config/declarative/load';
import { ConfigValidationError } from '../../src/config/errors';
import { buildSnapshot, closeSnapshot } from '../../src/config/snapshot';
import type { PluginEntity } from '../../src/config/types';
import type { PluginFactory, PluginInstance } from '../../src/plugins/plugin';
import { settings, writeYaml } from './support';

interface Runtime {
  readonly created: string[];
  readonly closed: string[];
}

/** A test plugin: records what it was created with; refuses configs whose first callout is named 'refuse'. */
const recordingFactory: PluginFactory<Runtime> = {
  name: 'request-callout',
  priority: 812,
  create(entity: PluginEntity, runtime: Runtime): PluginInstance {
    const first = (entity.config.callouts as { name: string }[])[0];
    if (first.name === 'refuse') throw new Error(`cannot compile callout ${first.name}`);
    runtime.created.push(entity.id);
    return { entity, priority: 812, access: async () => undefined, close: async () => void runtime.closed.push(entity.id) };
  },
};

const factories = new Map([[recordingFactory.name, recordingFactory]]);
const plugin = (callout: string, extra: Record<string, unknown> = {}) => ({
  name: 'request-callout',
  config: { callouts: [{ name: callout, request: { url: 'http://callout.test/' } }] },
  ...extra,
});

const file = writeYaml({
  _format_version: '3.0',
  services: [{ name: 's', url: 'http://u.test', routes: [{ name: 'r1', paths: ['/a'], plugins: [plugin('a')] }, { name: 'r2', paths: ['/b'], plugins: [plugin('b', { enabled: false })] }] }],
  plugins: [plugin('global')],
});

describe('04-config snapshot', () => {
  it('creates one instance per enabled plugin and freezes everything', async () => {
    const runtime: Runtime = { created: [], closed: [] };
    const config = loadDeclarativeConfig(file, settings());
    const snapshot = buildSnapshot(config, settings(), factories, runtime);
    expect(snapshot.plugins.map((instance) => instance.entity.config.callouts)).to.have.length(2);
    expect(runtime.created).to.deep.equal([config.plugins[0].id, config.plugins[2].id]);
    expect(snapshot.pluginEntities).to.have.length(3);
    expect(snapshot.routesById.get(config.routes[0].id)?.name).to.equal('r1');
    expect(snapshot.servicesById.get(config.services[0].id)?.host).to.equal('u.test');
    expect(Object.isFrozen(snapshot)).to.equal(true);
    expect(Object.isFrozen(snapshot.routes[0].paths)).to.equal(true);
    expect(Object.isFrozen(snapshot.pluginEntities[0].config)).to.equal(true);
    expect(() => {
      (snapshot.routes as unknown as unknown[]).push({});
    }).to.throw(TypeError);
    await closeSnapshot(snapshot);
    expect(runtime.closed).to.have.members(runtime.created);
  });

  it('building twice from the same file gives equal snapshots (ids, order)', () => {
    const build = () => buildSnapshot(loadDeclarativeConfig(file, settings()), settings(), factories, { created: [], closed: [] });
    const [first, second] = [build(), build()];
    expect(second.routes).to.deep.equal(first.routes);
    expect(second.services).to.deep.equal(first.services);
    expect(second.plugins.map((instance) => instance.entity)).to.deep.equal(first.plugins.map((instance) => instance.entity));
  });

  it('does not alter the loaded config', () => {
    const config = loadDeclarativeConfig(file, settings());
    buildSnapshot(config, settings(), factories, { created: [], closed: [] });
    expect(Object.isFrozen(config.routes)).to.equal(false);
  });

  it('reports every plugin that cannot be created, and missing implementations', () => {
    const bad = loadDeclarativeConfig(writeYaml({ _format_version: '3.0', plugins: [plugin('refuse')], services: [{ name: 's', url: 'http://u.test', plugins: [plugin('refuse')] }] }), settings());
    try {
      buildSnapshot(bad, settings(), factories, { created: [], closed: [] });
      expect.fail('expected an error');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigValidationError);
      expect((error as ConfigValidationError).issues.map((issue) => issue.message)).to.deep.equal(['cannot compile callout refuse', 'cannot compile callout refuse']);
    }
    const good = loadDeclarativeConfig(file, settings());
    expect(() => buildSnapshot(good, settings(), new Map(), {})).to.throw(ConfigValidationError, "no implementation registered for plugin 'request-callout'");
  });
});
