import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { configIssues, normalize, oneCallout } from './support';
import { luaPatternToRegExp } from '../../src/config/kong-schema/lua-pattern';

// Copies of Kong's exported data (see /work/shared/reference/kong/README.md for origin).
const REFERENCE = path.resolve(__dirname, '../../../spec/04-config/fixtures');
const readJson = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(`${REFERENCE}/${name}`, 'utf8')) as Record<string, unknown>;

describe('04-config request-callout schema normalization', () => {
  it('RC-01: the minimal config normalizes exactly to Kong\'s stored form', () => {
    const expected = readJson('request-callout-3.12.normalized-minimal-config.json').config;
    expect(normalize({ callouts: [{ name: 'c1', request: { url: 'http://callout.test/token' } }] })).to.deep.equal(expected);
  });

  it('normalized configs validate against Kong\'s JSON-Schema export of 3.10, 3.11 and 3.12 (ajv)', () => {
    const full = normalize(oneCallout({ http_opts: { timeouts: { connect: 1, write: 2, read: 3 } }, headers: { custom: { 'X-A': 'a' } } }));
    for (const version of ['3.10', '3.11', '3.12']) {
      const schema = readJson(`request-callout-${version}.schema.json`);
      const configSchema = (schema.properties as Record<string, Record<string, unknown>>).config;
      const validate = new Ajv({ strict: false, allErrors: true }).compile(configSchema);
      const nonNull = JSON.parse(JSON.stringify(full, (_key, value: unknown) => (value === null ? undefined : value))) as unknown;
      expect(validate(nonNull), `${version}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    }
  });

  it('keeps user values and fills only what is missing', () => {
    const config = normalize(oneCallout({ method: 'POST', error: { on_error: 'retry', retries: 0 } }, { cache: { strategy: 'memory', cache_ttl: 5 } }));
    const request = (config.callouts as Record<string, Record<string, Record<string, unknown>>>[])[0].request;
    expect(request.method).to.equal('POST');
    expect(request.error).to.deep.equal({ on_error: 'retry', retries: 0, http_statuses: null, error_response_code: 400, error_response_msg: 'service callout error' });
    expect(config.cache).to.include({ strategy: 'memory', cache_ttl: 5 });
  });

  it('type errors use Kong\'s wording', () => {
    const issues = configIssues({
      callouts: [{ name: 5, depends_on: 'x', request: { url: 'http://a.test/', method: 1, headers: { forward: 'yes', custom: [] }, http_opts: 'x', error: { retries: 1.5 } } }],
      cache: 'memory',
    });
    expect(issues).to.include.members([
      'config.callouts[1].name: expected a string',
      'config.callouts[1].depends_on: expected an array',
      'config.callouts[1].request.method: expected a string',
      'config.callouts[1].request.headers.forward: expected a boolean',
      'config.callouts[1].request.headers.custom: expected a map',
      'config.callouts[1].request.http_opts: expected a record',
      'config.callouts[1].request.error.retries: expected an integer',
      'config.cache: expected a record',
    ]);
  });

  it('a correct value of each type passes', () => {
    expect(() => normalize(oneCallout({ method: 'PUT', headers: { forward: true, custom: { a: 'b' } }, error: { retries: 1 } }, { cache: { strategy: 'off' } }))).not.to.throw();
  });

  it('unknown fields and missing required fields are reported with their paths', () => {
    expect(configIssues({ callouts: [{ request: { url: 'http://a.test/', foo: 1 } }], bar: true })).to.include.members([
      'config.bar: unknown field',
      'config.callouts[1].name: required field missing',
      'config.callouts[1].request.foo: unknown field',
    ]);
    expect(configIssues({})).to.deep.equal(['config.callouts: required field missing']);
    expect(configIssues({ callouts: [{ name: 'c1' }] })).to.deep.equal(['config.callouts[1].request.url: required field missing']);
  });

  it('RC-02: method must match ^%u+$', () => {
    expect(configIssues(oneCallout({ method: 'get' }))).to.deep.equal(['config.callouts[1].request.method: invalid value: get']);
    expect(configIssues(oneCallout({ method: 'M-SEARCH' }))).to.deep.equal(['config.callouts[1].request.method: invalid value: M-SEARCH']);
    expect(() => normalize(oneCallout({ method: 'PURGE' }))).not.to.throw();
  });

  it('RC-03: timeouts are all-or-none and bounded', () => {
    expect(configIssues(oneCallout({ http_opts: { timeouts: { connect: 1000 } } }))).to.deep.equal([
      "config.callouts[1].request.http_opts.timeouts: all or none of these fields must be set: 'connect', 'write', 'read'",
    ]);
    expect(configIssues(oneCallout({ http_opts: { timeouts: { connect: 1, write: 1, read: -1 } } }))).to.deep.equal([
      'config.callouts[1].request.http_opts.timeouts.read: value should be between 0 and 2147483646',
    ]);
    expect(() => normalize(oneCallout({ http_opts: { timeouts: { connect: 1, write: 2, read: 3 } } }))).not.to.throw();
  });

  it('RC-04: enumerations, ranges, gt and unknown fields', () => {
    expect(configIssues(oneCallout({ error: { on_error: 'abort' } }))).to.deep.equal(['config.callouts[1].request.error.on_error: expected one of: retry, fail, continue']);
    expect(configIssues(oneCallout({ error: { http_statuses: [99] } }))).to.deep.equal(['config.callouts[1].request.error.http_statuses[1]: value should be between 100 and 999']);
    expect(configIssues(oneCallout({}, { cache: { strategy: 'disk' } }))).to.deep.equal(['config.cache.strategy: expected one of: memory, redis, off']);
    expect(configIssues(oneCallout({}, { cache: { cache_ttl: 0 } }))).to.deep.equal(['config.cache.cache_ttl: value must be greater than 0']);
    expect(configIssues(oneCallout({ foo: 1 }))).to.deep.equal(['config.callouts[1].request.foo: unknown field']);
    expect(() => normalize(oneCallout({ error: { on_error: 'continue', http_statuses: [100, 999] } }, { cache: { strategy: 'redis', cache_ttl: 1 } }))).not.to.throw();
  });

  it('empty strings are refused as Kong does (length must be at least 1)', () => {
    expect(configIssues({ callouts: [{ name: '', request: { url: 'http://a.test/' } }] })).to.deep.equal(['config.callouts[1].name: length must be at least 1']);
  });

  it('a null custom value is kept (it removes the key at request time); a null required field is missing', () => {
    const config = normalize(oneCallout({ query: { custom: { a: null, b: 'x' } } }));
    const request = (config.callouts as Record<string, Record<string, Record<string, unknown>>>[])[0].request;
    expect(request.query.custom).to.deep.equal({ a: null, b: 'x' });
    expect(configIssues({ callouts: [{ name: 'c1', request: { url: null } }] })).to.deep.equal(['config.callouts[1].request.url: required field missing']);
  });

  it('3.10/3.11 redis shorthands expand to their replacements', () => {
    const config = normalize(oneCallout({}, { cache: { strategy: 'redis', redis: { timeout: 1234 } } }));
    expect((config.cache as Record<string, Record<string, unknown>>).redis).to.include({ connect_timeout: 1234, send_timeout: 1234, read_timeout: 1234 });
    const sentinel = normalize(oneCallout({}, { cache: { redis: { sentinel_addresses: ['10.0.0.1:26379', 'h2:26380'], sentinel_master: 'm', sentinel_role: 'master' } } }));
    expect((sentinel.cache as Record<string, Record<string, unknown>>).redis.sentinel_nodes).to.deep.equal([{ host: '10.0.0.1', port: 26379 }, { host: 'h2', port: 26380 }]);
    const cluster = normalize(oneCallout({}, { cache: { redis: { cluster_addresses: ['10.0.0.2:7000'] } } }));
    expect((cluster.cache as Record<string, Record<string, unknown>>).redis.cluster_nodes).to.deep.equal([{ ip: '10.0.0.2', port: 7000 }]);
    expect(configIssues(oneCallout({}, { cache: { redis: { timeout: 'x' } } }))).to.deep.equal(['config.cache.redis.timeout: expected an integer']);
    expect(configIssues(oneCallout({}, { cache: { redis: { cluster_addresses: ['nohost'] } } }))).to.deep.equal(['config.cache.redis.cluster_addresses[1]: invalid value: nohost']);
  });

  it('redis entity checks: sentinel fields all-or-none, proxied connection needs a host', () => {
    expect(configIssues(oneCallout({}, { cache: { redis: { sentinel_master: 'm' } } }))).to.deep.equal([
      "config.cache.redis: all or none of these fields must be set: 'sentinel_master', 'sentinel_role', 'sentinel_nodes'",
    ]);
    expect(configIssues(oneCallout({}, { cache: { redis: { connection_is_proxied: true, host: null, port: null } } }))).to.deep.equal([
      'config.cache.redis.host: required field missing',
      "config.cache.redis: failed conditional validation given value of field 'connection_is_proxied'",
    ]);
  });

  it('reports every problem of a config at once', () => {
    const issues = configIssues({
      callouts: [{ name: 'c1', request: { url: 'http://a.test/', method: 'get', error: { on_error: 'x' } } }],
      cache: { cache_ttl: -1, strategy: 'disk' },
    });
    expect(issues).to.have.length(4);
  });
});

describe('04-config Lua patterns of Kong schemas', () => {
  it('translates classes, sets, anchors and quantifiers', () => {
    expect(luaPatternToRegExp('^%u+$').test('GET')).to.equal(true);
    expect(luaPatternToRegExp('^%u+$').test('Get')).to.equal(false);
    expect(luaPatternToRegExp('^[%w%-_]+$').test('a-b_c')).to.equal(true);
    expect(luaPatternToRegExp('^[%w%-_]+$').test('a b')).to.equal(false);
    expect(luaPatternToRegExp('^%d%d?$').test('42')).to.equal(true);
    expect(luaPatternToRegExp('a.-b').exec('axxbyb')?.[0]).to.equal('axxb');
  });
});
