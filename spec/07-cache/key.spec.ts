import { expect } from 'chai';
import { defaultCalloutCacheKey, userCalloutCacheKey, type CalloutCacheKeyParts } from '../../src/cache';

const base: CalloutCacheKeyParts = {
  routeId: 'route-1',
  pluginId: 'plugin-1',
  consumerId: 'consumer-1',
  consumerGroups: ['gold', 'beta'],
  calloutName: 'c1',
  method: 'POST',
  url: 'http://127.0.0.1:9000/lookup',
  query: { b: '2', a: ['1', '3'], flag: true },
  headers: { 'X-Trace': 'abc', Accept: 'application/json' },
  body: { z: 1, a: { y: [1, { q: 2, p: 1 }], x: null } },
};

describe('cache: keys', () => {
  it('namespaces the default key and makes it a SHA-256 hex digest', () => {
    expect(defaultCalloutCacheKey(base)).to.match(/^request-callout:[0-9a-f]{64}$/);
  });

  it('gives the same key for the same inputs', () => {
    expect(defaultCalloutCacheKey({ ...base })).to.equal(defaultCalloutCacheKey(base));
  });

  it('ignores query order, header order and header-name case, JSON key order and group order', () => {
    const reordered: CalloutCacheKeyParts = {
      ...base,
      consumerGroups: ['beta', 'gold'],
      query: { flag: true, a: ['1', '3'], b: '2' },
      headers: { accept: 'application/json', 'x-trace': 'abc' },
      body: { a: { x: null, y: [1, { p: 1, q: 2 }] }, z: 1 },
    };
    expect(defaultCalloutCacheKey(reordered)).to.equal(defaultCalloutCacheKey(base));
  });

  const changes: Array<[string, Partial<CalloutCacheKeyParts>]> = [
    ['route id', { routeId: 'route-2' }],
    ['route id absent', { routeId: null }],
    ['plugin id', { pluginId: 'plugin-2' }],
    ['consumer id', { consumerId: 'consumer-2' }],
    ['consumer absent', { consumerId: null }],
    ['consumer groups', { consumerGroups: ['gold'] }],
    ['callout name', { calloutName: 'c2' }],
    ['method', { method: 'GET' }],
    ['url', { url: 'http://127.0.0.1:9000/lookup2' }],
    ['a query value', { query: { b: '2', a: ['1', '4'], flag: true } }],
    ['query multi-value order', { query: { b: '2', a: ['3', '1'], flag: true } }],
    ['a query flag vs string', { query: { b: '2', a: ['1', '3'], flag: 'true' } }],
    ['an extra query arg', { query: { b: '2', a: ['1', '3'], flag: true, c: '' } }],
    ['a header value', { headers: { 'X-Trace': 'abd', Accept: 'application/json' } }],
    ['an extra header', { headers: { 'X-Trace': 'abc', Accept: 'application/json', 'X-New': '' } }],
    ['a nested body value', { body: { z: 1, a: { y: [1, { q: 2, p: 2 }], x: null } } }],
    ['body array order', { body: { z: 1, a: { y: [{ q: 2, p: 1 }, 1], x: null } } }],
    ['body as string', { body: '{"a":{"x":null,"y":[1,{"p":1,"q":2}]},"z":1}' }],
    ['no body', { body: undefined }],
  ];
  for (const [what, change] of changes) {
    it(`changes when ${what} changes`, () => {
      expect(defaultCalloutCacheKey({ ...base, ...change })).to.not.equal(defaultCalloutCacheKey(base));
    });
  }

  it('cannot be confused by moving text between adjacent components', () => {
    const one = defaultCalloutCacheKey({ ...base, calloutName: 'ab', method: 'C' });
    const two = defaultCalloutCacheKey({ ...base, calloutName: 'a', method: 'BC' });
    expect(one).to.not.equal(two);
  });

  it('distinguishes a string body from the same bytes and from an empty body', () => {
    const asString = defaultCalloutCacheKey({ ...base, body: 'hi' });
    const asBytes = defaultCalloutCacheKey({ ...base, body: Buffer.from('hi') });
    const empty = defaultCalloutCacheKey({ ...base, body: '' });
    expect(new Set([asString, asBytes, empty, defaultCalloutCacheKey({ ...base, body: undefined })]).size).to.equal(4);
  });

  it('uses a user cache_key verbatim under the namespace', () => {
    expect(userCalloutCacheKey('my key:1')).to.equal('request-callout:my key:1');
  });
});
