import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateLargeConfig } from '../../bench/config-load';
import { loadDeclarativeConfig } from '../../src/config/declarative/load';
import { settings, writeTemp } from './support';

const EXAMPLES = path.resolve(__dirname, '../../../examples/request-callout');

describe('04-config examples and generated configs', () => {
  const files = fs.readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml'));

  it('ships the 8 request-callout doc examples', () => {
    for (const name of [
      'build-response-from-multiple-apis', 'cache-request-result', 'customize-cache-key', 'dynamic-url-via-expressions',
      'dynamic-url-via-lua-code', 'form-urlencoded-request', 'request-and-insert-token', 'retry-failed-requests',
    ]) expect(files).to.include(`${name}.yaml`);
  });

  for (const name of files) {
    it(`examples/request-callout/${name} parses`, () => {
      const config = loadDeclarativeConfig(path.join(EXAMPLES, name), settings(), { env: { REDIS_PASSWORD: 'pw' } });
      expect(config.plugins.map((plugin) => plugin.name)).to.deep.equal(['request-callout']);
      expect(config.routes.length).to.be.greaterThan(0);
    });
  }

  it('RC-10 example keeps its values after normalization', () => {
    const config = loadDeclarativeConfig(path.join(EXAMPLES, 'request-and-insert-token.yaml'), settings());
    const pluginConfig = config.plugins[0].config as { callouts: { request: { query: unknown } }[]; upstream: { headers: { custom: unknown } } };
    expect(pluginConfig.callouts[0].request.query).to.deep.equal({ forward: true, custom: null });
    expect(pluginConfig.upstream.headers.custom).to.deep.equal({ Authorization: 'Bearer $(callouts.auth1.response.body.token)' });
  });

  it('a generated file with 1,000 routes, each with a request-callout plugin (by_lua + templates), loads', () => {
    const config = loadDeclarativeConfig(writeTemp(generateLargeConfig(1000)), settings());
    expect(config.routes).to.have.length(1000);
    expect(config.plugins).to.have.length(1000);
    expect(new Set(config.plugins.map((plugin) => plugin.route)).size).to.equal(1000);
  });
});
