import { expect } from 'chai';
import { configIssues, normalize, oneCallout } from './support';
import { UNTRUSTED_LUA_OFF_MESSAGE } from '../../src/config/plugins/request-callout';

const CUSTOM_LOCATIONS = [
  ['request', 'query'],
  ['request', 'headers'],
  ['request', 'body'],
  ['upstream', 'query'],
  ['upstream', 'headers'],
  ['upstream', 'body'],
] as const;

/** Config with `value` as the only custom value at one of the six custom maps. */
function withCustom(where: readonly [string, string], value: string): Record<string, unknown> {
  const custom = { [where[1]]: { custom: { 'X-Code': value } } };
  return where[0] === 'request' ? oneCallout(custom) : oneCallout({}, { upstream: custom });
}

const customPath = (where: readonly [string, string]): string =>
  where[0] === 'request' ? `config.callouts[1].request.${where[1]}.custom.X-Code` : `config.upstream.${where[1]}.custom.X-Code`;

describe('04-config request-callout plugin-level checks', () => {
  it('RC-05: callout names must be unique; the message names the duplicate', () => {
    const config = { callouts: [{ name: 'c1', request: { url: 'http://a.test/' } }, { name: 'c1', request: { url: 'http://b.test/' } }] };
    expect(configIssues(config)).to.deep.equal(["config.callouts[2].name: duplicate callout name 'c1' (already used by callout 1)"]);
    expect(() => normalize({ callouts: [{ name: 'c1', request: { url: 'http://a.test/' } }, { name: 'c2', request: { url: 'http://b.test/' } }] })).not.to.throw();
  });

  describe('RC-06: depends_on integrity', () => {
    const callout = (name: string, dependsOn: string[]) => ({ name, depends_on: dependsOn, request: { url: `http://${name}.test/` } });

    it('rejects an unknown callout', () => {
      expect(configIssues({ callouts: [callout('a', ['nope'])] })).to.deep.equal(["config.callouts[1].depends_on[1]: callout 'a' depends on unknown callout 'nope'"]);
    });
    it('rejects a self-dependency', () => {
      expect(configIssues({ callouts: [callout('a', ['a'])] })).to.deep.equal(["config.callouts[1].depends_on[1]: callout 'a' depends on itself"]);
    });
    it('rejects a cycle and names its callouts', () => {
      expect(configIssues({ callouts: [callout('a', ['b']), callout('b', ['a'])] })).to.deep.equal(["config.callouts: dependency cycle between callouts: 'a' -> 'b' -> 'a'"]);
      expect(configIssues({ callouts: [callout('a', ['c']), callout('b', ['a']), callout('c', ['b']), callout('d', [])] })).to.deep.equal([
        "config.callouts: dependency cycle between callouts: 'a' -> 'c' -> 'b' -> 'a'",
      ]);
    });
    it('accepts a DAG in any listing order and an empty callout list', () => {
      expect(() => normalize({ callouts: [callout('q', ['t']), callout('t', []), callout('r', ['q', 't'])] })).not.to.throw();
      expect(normalize({ callouts: [] }).callouts).to.deep.equal([]);
    });
  });

  describe('RC-07: Lua syntax of every by_lua', () => {
    const broken = 'kong.ctx.shared.callouts.["c1"] = 1';
    const sites: [string, Record<string, unknown>][] = [
      ['config.callouts[1].request.by_lua', oneCallout({ by_lua: broken })],
      ['config.callouts[1].response.by_lua', { callouts: [{ name: 'c1', request: { url: 'http://a.test/' }, response: { by_lua: broken } }] }],
      ['config.upstream.by_lua', oneCallout({}, { upstream: { by_lua: broken } })],
    ];
    for (const [path, config] of sites) {
      it(`rejects a syntax error in ${path} with Kong's prefix and chunk name`, () => {
        expect(configIssues(config)).to.deep.equal([`${path}: syntax error in by_lua: [string "request-callout"]:1: '<name>' expected near '['`]);
      });
    }
    it('accepts code that only fails at runtime', () => {
      expect(() => normalize(oneCallout({ by_lua: 'local x = nil; x.y = 1' }))).not.to.throw();
    });
    it('rejects Lua 5.3-only syntax (LuaJIT dialect)', () => {
      const issues = configIssues(oneCallout({ by_lua: 'local x = 7 // 2' }));
      expect(issues).to.have.length(1);
      expect(issues[0]).to.match(/^config\.callouts\[1\]\.request\.by_lua: syntax error in by_lua: \[string "request-callout"\]:1:/);
    });
  });

  describe('RC-08: templates in custom values', () => {
    for (const where of CUSTOM_LOCATIONS) {
      it(`${customPath(where)}: a leading # that is not Lua is rejected, $("#1234!") and a#b are accepted`, () => {
        const issues = configIssues(withCustom(where, '#1234!'));
        expect(issues).to.have.length(1);
        expect(issues[0]).to.match(new RegExp(`^${customPath(where).replace(/[.[\]]/g, '\\$&')}: invalid template: \\[string "request-callout"\\]:1:`));
        expect(() => normalize(withCustom(where, '$("#1234!")'))).not.to.throw();
        expect(() => normalize(withCustom(where, 'a#b'))).not.to.throw();
      });
      it(`${customPath(where)}: an expression that does not compile is rejected`, () => {
        expect(configIssues(withCustom(where, 'x $(1 +) y'))[0]).to.match(/invalid template: .*unexpected symbol near '\)'/);
      });
    }
    it('error_response_msg is a template too', () => {
      expect(configIssues(oneCallout({ error: { error_response_msg: 'bad $(1 +)' } }))[0]).to.match(/^config\.callouts\[1\]\.request\.error\.error_response_msg: invalid template:/);
      expect(() => normalize(oneCallout({ error: { error_response_msg: 'denied for $(headers.x_user)' } }))).not.to.throw();
    });
  });

  describe('RC-09: request.url (3.12 semantics, literal URLs validated at load)', () => {
    it('a literal URL without scheme or host is rejected with the url typedef wording', () => {
      expect(configIssues(oneCallout({ url: 'callout.test/token' }))).to.deep.equal(['config.callouts[1].request.url: missing host in url']);
      expect(configIssues(oneCallout({ url: '//callout.test/token' }))).to.deep.equal(['config.callouts[1].request.url: missing scheme in url']);
      expect(configIssues(oneCallout({ url: 'ftp://callout.test/token' }))).to.deep.equal(['config.callouts[1].request.url: unsupported scheme in url: ftp (expected http or https)']);
    });
    it('a templated URL is accepted and compiled as a template', () => {
      expect(() => normalize(oneCallout({ url: "$(kong.request.get_header('x-u'))" }))).not.to.throw();
      expect(configIssues(oneCallout({ url: 'http://$(1 +)/' }))[0]).to.match(/^config\.callouts\[1\]\.request\.url: invalid template:/);
    });
    it('http and https literals pass', () => {
      expect(() => normalize(oneCallout({ url: 'https://user:pw@callout.test:8443/a?b=1' }))).not.to.throw();
    });
  });

  it('decision 25: error_response_code must be 100..599', () => {
    expect(configIssues(oneCallout({ error: { error_response_code: 600 } }))).to.deep.equal(['config.callouts[1].request.error.error_response_code: value should be between 100 and 599']);
    expect(configIssues(oneCallout({ error: { error_response_code: 99 } }))).to.have.length(1);
    expect(() => normalize(oneCallout({ error: { error_response_code: 599 } }))).not.to.throw();
  });

  describe("decision 20: untrusted_lua = 'off'", () => {
    it('rejects by_lua and $( templates with Kong\'s message, at every place', () => {
      const config = {
        callouts: [{ name: 'c1', request: { url: '$(x)', by_lua: 'local a = 1', headers: { custom: { A: '$(1)' } } }, response: { by_lua: 'local b = 2' } }],
        upstream: { by_lua: 'local c = 3', body: { custom: { B: 'v $(2)' } } },
      };
      expect(configIssues(config, 'off')).to.deep.equal([
        `config.callouts[1].request.url: ${UNTRUSTED_LUA_OFF_MESSAGE}`,
        `config.callouts[1].request.headers.custom.A: ${UNTRUSTED_LUA_OFF_MESSAGE}`,
        `config.callouts[1].request.by_lua: ${UNTRUSTED_LUA_OFF_MESSAGE}`,
        `config.callouts[1].response.by_lua: ${UNTRUSTED_LUA_OFF_MESSAGE}`,
        `config.upstream.by_lua: ${UNTRUSTED_LUA_OFF_MESSAGE}`,
        `config.upstream.body.custom.B: ${UNTRUSTED_LUA_OFF_MESSAGE}`,
      ]);
    });
    it('accepts a config without Lua, and the same Lua under sandbox and on', () => {
      expect(() => normalize(oneCallout({ headers: { custom: { A: 'plain' } } }), 'off')).not.to.throw();
      expect(() => normalize(oneCallout({ by_lua: 'local a = 1' }), 'sandbox')).not.to.throw();
      expect(() => normalize(oneCallout({ by_lua: 'local a = 1' }), 'on')).not.to.throw();
    });
  });

  it('vault references in referenceable fields are resolved at load; a missing variable names the field', () => {
    const config = normalize(oneCallout({ url: '{vault://env/callout-url}', headers: { custom: { Authorization: '{vault://env/token/value}' } } }), 'sandbox', {
      CALLOUT_URL: 'http://vault.test/x',
      TOKEN: '{"value":"Bearer s3cr3t"}',
    });
    const request = (config.callouts as Record<string, Record<string, Record<string, unknown>>>[])[0].request;
    expect(request.url).to.equal('http://vault.test/x');
    expect(request.headers.custom).to.deep.equal({ Authorization: 'Bearer s3cr3t' });
    expect(configIssues(oneCallout({ url: '{vault://env/nope}' }))).to.deep.equal([
      'config.callouts[1].request.url: could not resolve {vault://env/nope}: environment variable NOPE is not set',
    ]);
    expect(configIssues(oneCallout({}, { cache: { redis: { password: '{vault://env/redis-pw}' } } }))).to.deep.equal([
      'config.cache.redis.password: could not resolve {vault://env/redis-pw}: environment variable REDIS_PW is not set',
    ]);
  });

  it('a reference inside a longer value is not a reference (decision 19)', () => {
    const config = normalize(oneCallout({ headers: { custom: { A: 'x {vault://env/nope}' } } }));
    const request = (config.callouts as Record<string, Record<string, Record<string, unknown>>>[])[0].request;
    expect(request.headers.custom).to.deep.equal({ A: 'x {vault://env/nope}' });
  });
});
