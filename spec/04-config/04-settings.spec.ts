import { expect } from 'chai';
import { SettingsError } from '../../src/config/errors';
import { parseListen } from '../../src/config/listen';
import { loadSettings, readSettings } from '../../src/config/settings';
import { writeTemp } from './support';

function settingsIssues(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(SettingsError);
    return (error as SettingsError).issues.map((issue) => `${issue.source}: ${issue.key}: ${issue.reason}`);
  }
  return expect.fail('expected a SettingsError');
}

describe('04-config settings (kong.conf, KONG_* / LUAGATE_* env, defaults)', () => {
  it('defaults are Kong\'s (and luagate\'s own)', () => {
    const settings = loadSettings({ env: {} });
    expect(settings).to.deep.include({
      declarative_config: null,
      untrusted_lua: 'sandbox',
      log_level: 'notice',
      nginx_worker_processes: 'auto',
      callout_concurrency: 'sequential',
      lua_time_budget_ms: 500,
      lua_max_string_bytes: 64 * 1024 * 1024,
      lua_max_pattern_steps: 5_000_000,
      log_format: 'plain',
      mem_cache_size: 128 * 1024 * 1024,
    });
    expect(settings.headers).to.deep.equal(['server_tokens', 'latency_tokens', 'X-Kong-Request-Id']);
    expect(settings.proxy_listen).to.deep.equal([{ host: '0.0.0.0', port: 8000, ssl: false, http2: false, flags: [] }]);
    expect(settings.untrusted_lua_sandbox_requires).to.deep.equal([]);
    expect(settings.lua_ssl_trusted_certificate).to.deep.equal(['system']);
    expect(Object.isFrozen(settings)).to.equal(true);
  });

  it('reads kong.conf: key = value lines, # comments, \\# escapes, lists', () => {
    const conf = writeTemp([
      '# a comment line',
      'untrusted_lua = on   # trailing comment',
      'untrusted_lua_sandbox_requires = cjson, resty.sha256',
      'LOG_LEVEL = debug',
      'proxy_listen = 127.0.0.1:9000, [::1]:9443 ssl http2 reuseport backlog=16384',
      'declarative_config = /tmp/kong\\#1.yaml',
      'nginx_worker_processes = 4',
      'callout_concurrency = parallel',
      'lua_max_string_bytes = 1m',
      'admin_listen = off',
      'mem_cache_size = 512k',
      '',
    ].join('\n'), 'conf');
    const report = readSettings({ confPath: conf, env: {} });
    expect(report.settings).to.deep.include({ untrusted_lua: 'on', log_level: 'debug', declarative_config: '/tmp/kong#1.yaml', nginx_worker_processes: 4, callout_concurrency: 'parallel', lua_max_string_bytes: 1048576, mem_cache_size: 524288 });
    expect(report.settings.untrusted_lua_sandbox_requires).to.deep.equal(['cjson', 'resty.sha256']);
    expect(report.settings.proxy_listen).to.deep.equal([
      { host: '127.0.0.1', port: 9000, ssl: false, http2: false, flags: [] },
      { host: '::1', port: 9443, ssl: true, http2: true, flags: ['reuseport', 'backlog=16384'] },
    ]);
    expect(report.origins.untrusted_lua).to.equal(`${conf}:2`);
    expect(report.origins.log_format).to.equal('default');
    expect(report.warnings).to.deep.equal([`${conf}:10: 'admin_listen' is not used by luagate (ignored)`]);
  });

  it('env vars override the file: KONG_* for Kong keys, LUAGATE_* for luagate keys', () => {
    const conf = writeTemp('log_level = debug\nlog_format = plain\n', 'conf');
    const report = readSettings({ confPath: conf, env: { KONG_LOG_LEVEL: 'error', LUAGATE_LOG_FORMAT: 'json', LUAGATE_CALLOUT_CONCURRENCY: 'parallel', KONG_HEADERS: 'off', LUAGATE_LUA_TIME_BUDGET_MS: '250' } });
    expect(report.settings).to.deep.include({ log_level: 'error', log_format: 'json', callout_concurrency: 'parallel', lua_time_budget_ms: 250 });
    expect(report.settings.headers).to.deep.equal(['off']);
    expect(report.origins.log_level).to.equal('KONG_LOG_LEVEL');
    // luagate's own keys are not read from KONG_*
    expect(readSettings({ env: { KONG_LOG_FORMAT: 'json' } }).settings.log_format).to.equal('plain');
  });

  it('bad values are all reported, each with its key and source', () => {
    const conf = writeTemp('untrusted_lua = maybe\nnot a setting line\nproxy_listen = 8000\n', 'conf');
    expect(settingsIssues(() => loadSettings({ confPath: conf, env: { KONG_NGINX_WORKER_PROCESSES: 'many', LUAGATE_LOG_FORMAT: 'xml', KONG_HEADERS: 'off, Server' } }))).to.deep.equal([
      `${conf}:2: not a setting line: expected a \`key = value\` line`,
      `${conf}:3: proxy_listen: must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] [reuseport] [backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] [so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]`,
      `${conf}:1: untrusted_lua: invalid value 'maybe', expected one of: off, sandbox, on`,
      "KONG_NGINX_WORKER_PROCESSES: nginx_worker_processes: invalid value 'many', expected a positive integer",
      "KONG_HEADERS: headers: 'off' cannot be combined with other values",
      "LUAGATE_LOG_FORMAT: log_format: invalid value 'xml', expected one of: plain, json",
    ]);
    expect(settingsIssues(() => loadSettings({ env: { KONG_LUA_SSL_TRUSTED_CERTIFICATE: '/nonexistent/ca.pem' } }))).to.deep.equal([
      'KONG_LUA_SSL_TRUSTED_CERTIFICATE: lua_ssl_trusted_certificate: certificate file not found: /nonexistent/ca.pem',
    ]);
    expect(settingsIssues(() => loadSettings({ confPath: '/nonexistent/kong.conf', env: {} }))[0]).to.match(/^\/nonexistent\/kong\.conf: conf: cannot read configuration file/);
  });

  it('proxy_access_log: /dev/stdout by default; off, /dev/stderr or a file path', () => {
    const report = readSettings({ env: {} });
    expect(report.settings.proxy_access_log).to.deep.equal({ target: { kind: 'stdout' }, ignoredParameters: [] });
    expect(report.origins.proxy_access_log).to.equal('default');
    const accessLog = (value: string): unknown => loadSettings({ env: { KONG_PROXY_ACCESS_LOG: value } }).proxy_access_log;
    expect(accessLog('off')).to.deep.equal({ target: { kind: 'off' }, ignoredParameters: [] });
    expect(accessLog('/dev/stderr')).to.deep.equal({ target: { kind: 'stderr' }, ignoredParameters: [] });
    expect(accessLog(' logs/access.log ')).to.deep.equal({ target: { kind: 'file', path: 'logs/access.log' }, ignoredParameters: [] });
    expect(Object.isFrozen(loadSettings({ env: {} }).proxy_access_log.ignoredParameters)).to.equal(true);
  });

  it('proxy_access_log: nginx parameters after the path are kept apart (to be warned about), not part of the path', () => {
    const conf = writeTemp('proxy_access_log = /var/log/luagate/access.log  buffer=32k kong_log_format\n', 'conf');
    const report = readSettings({ confPath: conf, env: {} });
    expect(report.settings.proxy_access_log).to.deep.equal({
      target: { kind: 'file', path: '/var/log/luagate/access.log' }, ignoredParameters: ['buffer=32k', 'kong_log_format'],
    });
    expect(report.origins.proxy_access_log).to.equal(`${conf}:1`);
    expect(report.warnings).to.deep.equal([]);
  });

  it('proxy_access_log: KONG_PROXY_ACCESS_LOG overrides kong.conf; an empty value is an error', () => {
    const conf = writeTemp('proxy_access_log = /tmp/from-conf.log\n', 'conf');
    const report = readSettings({ confPath: conf, env: { KONG_PROXY_ACCESS_LOG: 'off' } });
    expect(report.settings.proxy_access_log.target).to.deep.equal({ kind: 'off' });
    expect(report.origins.proxy_access_log).to.equal('KONG_PROXY_ACCESS_LOG');
    expect(settingsIssues(() => loadSettings({ env: { KONG_PROXY_ACCESS_LOG: '  ' } }))).to.deep.equal([
      'KONG_PROXY_ACCESS_LOG: proxy_access_log: expected a file path, /dev/stdout, /dev/stderr or off',
    ]);
  });

  it('heap_growing_percent: 130 by default, 0 to leave V8 alone, a whole number up to 400 from kong.conf or env', () => {
    expect(loadSettings({ env: {} }).heap_growing_percent).to.equal(130);
    expect(loadSettings({ env: { LUAGATE_HEAP_GROWING_PERCENT: '0' } }).heap_growing_percent).to.equal(0);
    const conf = writeTemp('heap_growing_percent = 60\n', 'conf');
    expect(loadSettings({ confPath: conf, env: {} }).heap_growing_percent).to.equal(60);
    expect(settingsIssues(() => loadSettings({ env: { LUAGATE_HEAP_GROWING_PERCENT: '1.5' } }))).to.deep.equal([
      "LUAGATE_HEAP_GROWING_PERCENT: heap_growing_percent: invalid value '1.5', expected a whole number from 0 to 400",
    ]);
    expect(settingsIssues(() => loadSettings({ env: { LUAGATE_HEAP_GROWING_PERCENT: '500' } }))).to.have.length(1);
  });

  it('parses Kong listen syntax and rejects anything else', () => {
    expect(parseListen('off')).to.deep.equal([]);
    expect(parseListen('0.0.0.0:8000, 0.0.0.0:8443 ssl')).to.deep.equal([
      { host: '0.0.0.0', port: 8000, ssl: false, http2: false, flags: [] },
      { host: '0.0.0.0', port: 8443, ssl: true, http2: false, flags: [] },
    ]);
    for (const bad of ['8000', '0.0.0.0:99999', '0.0.0.0:8000 tls', 'host:']) expect(parseListen(bad)).to.have.property('error');
  });
});
