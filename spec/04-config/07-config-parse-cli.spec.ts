import { expect } from 'chai';
import { configParseCommand } from '../../src/cli/config-parse';
import { writeTemp, writeYaml } from './support';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await configParseCommand(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { code, out, err };
}

const valid = writeYaml({
  _format_version: '3.0',
  services: [{ name: 'svc', url: 'http://u.test', routes: [{ name: 'r1', paths: ['/r'] }] }],
  plugins: [{ name: 'request-callout', route: 'r1', config: { callouts: [{ name: 'c1', request: { url: 'http://c.test/', by_lua: 'local x = 1' } }] } }],
});

describe('04-config `luagate config parse`', () => {
  it('exits 0 with a summary for a valid file', async () => {
    const result = await run([valid]);
    expect(result.code).to.equal(0);
    expect(result.out).to.deep.equal([
      `parse successful: ${valid}`,
      '_format_version: 3.0',
      'services: 1 (svc)',
      'routes: 1 (r1)',
      'consumers: 0',
      'plugins: 1',
      '  request-callout on route r1',
    ]);
  });

  it('exits 1 and prints every error with file:line', async () => {
    const file = writeTemp('_format_version: "3.0"\nplugins:\n  - name: request-callout\n    config:\n      callouts:\n        - name: c1\n          request: {url: "callout.test", method: get}\n  - name: acl\n');
    const result = await run([file]);
    expect(result.code).to.equal(1);
    expect(result.err).to.deep.equal([
      `Error: ${file} is invalid (3 errors):`,
      `  ${file}:7: plugins[1].config.callouts[1].request.method: invalid value: get`,
      `  ${file}:7: plugins[1].config.callouts[1].request.url: missing host in url`,
      `  ${file}:8: plugins[2].name: plugin 'acl' is not supported by luagate (supported: request-callout)`,
    ]);
  });

  it('honours -c kong.conf (untrusted_lua = off rejects the Lua) and env overrides', async () => {
    const conf = writeTemp('untrusted_lua = off\n', 'conf');
    const rejected = await run([valid, '-c', conf]);
    expect(rejected.code).to.equal(1);
    expect(rejected.err[1]).to.contain("loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'");
    expect((await run([valid, '-c', conf], { KONG_UNTRUSTED_LUA: 'sandbox' })).code).to.equal(0);
  });

  it('uses declarative_config when no file is given; usage errors exit 1', async () => {
    expect((await run([], { KONG_DECLARATIVE_CONFIG: valid })).code).to.equal(0);
    const none = await run([]);
    expect(none.code).to.equal(1);
    expect(none.err[0]).to.contain('no declarative file given');
    expect((await run([valid, '--bogus'])).code).to.equal(1);
    const badSettings = await run([valid], { KONG_LOG_LEVEL: 'loud' });
    expect(badSettings.code).to.equal(1);
    expect(badSettings.err).to.deep.equal(['Error: invalid settings:', "  KONG_LOG_LEVEL: log_level: invalid value 'loud', expected one of: debug, info, notice, warn, error, crit, alert, emerg"]);
  });
});
