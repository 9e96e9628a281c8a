import { expect } from 'chai';
import { loadDeclarativeConfig, loadDeclarativeConfigWithWarnings } from '../../src/config/declarative/load';
import { ConfigValidationError } from '../../src/config/errors';
import { issuesOf, lines, settings, writeTemp, writeYaml } from './support';

const plugin = (extra: Record<string, unknown> = {}) => ({
  name: 'request-callout',
  config: { callouts: [{ name: 'c1', request: { url: 'http://callout.test/token' } }] },
  ...extra,
});

describe('04-config declarative loader', () => {
  it('loads services by url and by parts, with Kong defaults', () => {
    const config = loadDeclarativeConfig(writeYaml({
      _format_version: '3.0',
      services: [
        { name: 'a', url: 'https://upstream.test:8443/base' },
        { name: 'b', host: 'b.test', tags: ['t1'] },
        { name: 'c', url: 'http://c.test' },
      ],
    }), settings());
    expect(config.services.map(({ name, protocol, host, port, path }) => ({ name, protocol, host, port, path }))).to.deep.equal([
      { name: 'a', protocol: 'https', host: 'upstream.test', port: 8443, path: '/base' },
      { name: 'b', protocol: 'http', host: 'b.test', port: 80, path: null },
      { name: 'c', protocol: 'http', host: 'c.test', port: 80, path: null },
    ]);
    expect(config.services[1]).to.include({ retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true });
    expect(config.services[1].tags).to.deep.equal(['t1']);
  });

  it('rejects bad services with Kong messages', () => {
    const issues = lines(issuesOf(() => loadDeclarativeConfig(writeYaml({
      _format_version: '3.0',
      services: [{ name: 'a', url: 'upstream.test/x' }, { name: 'b' }, { name: 'c', host: 'c.test', retries: -1, port: 70000, path: 'x' }],
    }), settings())));
    expect(issues).to.deep.equal([
      'services[1].url: missing host in url',
      'services[1].host: required field missing',
      'services[2].host: required field missing',
      'services[3].retries: value should be between 0 and 32767',
      'services[3].port: value should be between 0 and 65535',
      'services[3].path: should start with: /',
    ]);
  });

  it('loads nested and top-level routes (service by name or id) with route defaults', () => {
    const config = loadDeclarativeConfig(writeYaml({
      _format_version: '3.0',
      services: [{ name: 'svc', id: '3f0c1b1e-9c6e-4c1a-8f34-0a3c2f0d1e11', url: 'http://u.test', routes: [{ name: 'nested', paths: ['/n'] }] }],
      routes: [
        { name: 'by-name', service: 'svc', paths: ['~/users/(?<uid>\\d+)$'], methods: ['GET'], hosts: ['a.test'], headers: { 'x-v': ['1'] } },
        { name: 'by-id', service: { id: '3f0c1b1e-9c6e-4c1a-8f34-0a3c2f0d1e11' }, paths: ['/i'], strip_path: false, preserve_host: true, regex_priority: 3, path_handling: 'v1' },
      ],
    }), settings());
    expect(config.routes.map((route) => [route.name, route.service])).to.deep.equal([
      ['nested', '3f0c1b1e-9c6e-4c1a-8f34-0a3c2f0d1e11'],
      ['by-name', '3f0c1b1e-9c6e-4c1a-8f34-0a3c2f0d1e11'],
      ['by-id', '3f0c1b1e-9c6e-4c1a-8f34-0a3c2f0d1e11'],
    ]);
    expect(config.routes[0]).to.include({ strip_path: true, preserve_host: false, regex_priority: 0, path_handling: 'v0', https_redirect_status_code: 426 });
    expect(config.routes[0].protocols).to.deep.equal(['http', 'https']);
    expect(config.routes[1].paths).to.deep.equal(['~/users/(?<uid>\\d+)$']);
    expect(config.routes[1].headers).to.deep.equal({ 'x-v': ['1'] });
    expect(config.routes[2]).to.include({ strip_path: false, preserve_host: true, regex_priority: 3, path_handling: 'v1' });
  });

  it('rejects bad routes and dangling references', () => {
    const issues = lines(issuesOf(() => loadDeclarativeConfig(writeYaml({
      _format_version: '3.0',
      services: [{ name: 'svc', url: 'http://u.test' }],
      routes: [
        { name: 'r1', service: 'nope', paths: ['/a'] },
        { name: 'r2', service: 'svc' },
        { name: 'r3', paths: ['a', '~/(unclosed'], methods: ['get'], headers: { Host: ['x'] } },
        { name: 'r1', paths: ['/dup'] },
      ],
    }), settings())));
    expect(issues).to.deep.include.members([
      "routes[1].service: invalid reference 'service: nope' (no such entry in 'services')",
      "routes[2]: must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'",
      'routes[3].methods[1]: invalid value: get',
      'routes[3].paths[1]: should start with: / (fixed path) or ~ (regex path)',
      "routes[3].headers.Host: cannot contain 'host' header, which must be specified in the 'hosts' attribute",
      "routes[4].name: uniqueness violation: 'routes' entity with name set to 'r1' already declared at routes[1]",
    ]);
    expect(issues.some((issue) => issue.startsWith("routes[3].paths[2]: invalid regex: '/(unclosed'"))).to.equal(true);
  });

  it('pre-3.0 files: regex-looking paths get the ~ prefix, with a warning', () => {
    const result = loadDeclarativeConfigWithWarnings(writeYaml({
      _format_version: '2.1',
      services: [{ name: 's', url: 'http://u.test', routes: [{ name: 'r', paths: ['/users/\\d+', '/plain-path'] }] }],
    }), settings());
    expect(result.config.routes[0].paths).to.deep.equal(['~/users/\\d+', '/plain-path']);
    expect(result.warnings.map((warning) => warning.path)).to.deep.equal(['services[1].routes[1].paths[1]']);
  });

  it('loads consumers and plugins scoped by nesting or by reference (name or id)', () => {
    const config = loadDeclarativeConfig(writeYaml({
      _format_version: '3.0',
      services: [{ name: 'svc', url: 'http://u.test', plugins: [plugin()], routes: [{ name: 'r', paths: ['/r'], plugins: [plugin({ enabled: false })] }] }],
      consumers: [{ username: 'alice', plugins: [plugin()] }, { custom_id: 'c-2' }],
      plugins: [plugin({ route: 'r', consumer: 'c-2', protocols: ['http'] }), plugin({ tags: ['global'] })],
    }), settings());
    const [service] = config.services;
    const [route] = config.routes;
    const [alice, other] = config.consumers;
    expect(config.plugins.map((p) => [p.route, p.service, p.consumer, p.enabled])).to.deep.equal([
      [route.id, null, null, false],
      [null, service.id, null, true],
      [null, null, alice.id, true],
      [route.id, null, other.id, true],
      [null, null, null, true],
    ]);
    expect(config.plugins[3].protocols).to.deep.equal(['http']);
    expect(config.plugins[0].protocols).to.deep.equal(['grpc', 'grpcs', 'http', 'https']);
    expect(config.plugins[4].tags).to.deep.equal(['global']);
    expect((config.plugins[0].config.cache as Record<string, unknown>).cache_ttl).to.equal(300);
  });

  it('rejects unsupported plugins, unknown top-level keys and duplicate plugins, listing what is supported', () => {
    const issues = lines(issuesOf(() => loadDeclarativeConfig(writeYaml({
      _format_version: '3.0',
      upstreams: [{ name: 'u' }],
      widgets: [],
      services: [{ name: 'svc', url: 'http://u.test' }],
      plugins: [{ name: 'rate-limiting', config: {} }, plugin({ service: 'svc' }), plugin({ service: 'svc' })],
      consumers: [{ tags: ['x'] }],
    }), settings())));
    expect(issues).to.deep.include.members([
      "upstreams: 'upstreams' entities are not supported by luagate (supported top-level keys: _format_version, _transform, _comment, _workspace, _info, services, routes, consumers, plugins)",
      'widgets: unknown field (supported top-level keys: _format_version, _transform, _comment, _workspace, _info, services, routes, consumers, plugins)',
      "plugins[1].name: plugin 'rate-limiting' is not supported by luagate (supported: request-callout)",
      "plugins[3]: uniqueness violation: 'plugins' entity with name set to 'request-callout' and the same service, route and consumer already declared at plugins[2]",
      "consumers[1]: at least one of these fields must be non-empty: 'custom_id', 'username'",
    ]);
  });

  it('checks _format_version', () => {
    expect(lines(issuesOf(() => loadDeclarativeConfig(writeYaml({ services: [] }), settings())))).to.deep.equal(['_format_version: required field missing']);
    expect(lines(issuesOf(() => loadDeclarativeConfig(writeYaml({ _format_version: '4.0' }), settings())))).to.deep.equal(['_format_version: expected one of: 1.1, 2.1, 3.0']);
    for (const version of ['1.1', '2.1', '3.0']) {
      expect(loadDeclarativeConfig(writeYaml({ _format_version: version }), settings()).formatVersion).to.equal(version);
    }
    expect(loadDeclarativeConfig(writeTemp('_format_version: 3.0\n'), settings()).formatVersion).to.equal('3.0');
  });

  it('generates stable ids: the same file loads to identical results', () => {
    const file = writeYaml({
      _format_version: '3.0',
      services: [{ name: 's', url: 'http://u.test', routes: [{ paths: ['/a'], plugins: [plugin()] }, { name: 'named', paths: ['/b'] }] }],
      consumers: [{ username: 'u' }],
    });
    const first = loadDeclarativeConfig(file, settings());
    const second = loadDeclarativeConfig(file, settings());
    expect(second).to.deep.equal(first);
    const ids = [...first.services, ...first.routes, ...first.consumers, ...first.plugins].map((entity) => entity.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.plugins[0].route).to.equal(first.routes[0].id);
  });

  it('reads JSON files too', () => {
    const file = writeTemp(JSON.stringify({ _format_version: '3.0', services: [{ name: 's', url: 'http://u.test' }] }), 'json');
    expect(loadDeclarativeConfig(file, settings()).services[0].host).to.equal('u.test');
  });

  it('reports every error of a file at once, with line numbers', () => {
    const file = writeTemp([
      '_format_version: "3.0"',
      'services:',
      '  - name: s',
      '    url: http://u.test',
      '    routes:',
      '      - name: r',
      '        paths: [/r]',
      '        plugins:',
      '          - name: request-callout',
      '            config:',
      '              callouts:',
      '                - name: c1',
      '                  request:',
      '                    url: http://c.test/',
      '                    method: get',
      '                    by_lua: "x = = 1"',
      '              cache:',
      '                cache_ttl: 0',
    ].join('\n'));
    const error = (() => {
      try {
        loadDeclarativeConfig(file, settings());
      } catch (caught) {
        return caught as ConfigValidationError;
      }
      throw new Error('expected an error');
    })();
    expect(error).to.be.instanceOf(ConfigValidationError);
    expect(error.file).to.equal(file);
    expect(error.issues.map((issue) => [issue.line, `${issue.path}: ${issue.message}`])).to.deep.equal([
      [15, 'services[1].routes[1].plugins[1].config.callouts[1].request.method: invalid value: get'],
      [18, 'services[1].routes[1].plugins[1].config.cache.cache_ttl: value must be greater than 0'],
      [16, `services[1].routes[1].plugins[1].config.callouts[1].request.by_lua: syntax error in by_lua: [string "request-callout"]:1: unexpected symbol near '='`],
    ]);
    expect(error.message).to.contain(`${file}:15: services[1].routes[1].plugins[1].config.callouts[1].request.method: invalid value: get`);
  });

  it('file-level problems name the file (and line for bad YAML)', () => {
    const missing = issuesOf(() => loadDeclarativeConfig('/nonexistent/kong.yaml', settings()));
    expect(lines(missing)).to.deep.equal([': cannot read declarative config: no such file']);
    const bad = issuesOf(() => loadDeclarativeConfig(writeTemp('_format_version: "3.0"\nservices:\n  - name: [unclosed\n'), settings()));
    expect(bad).to.have.length.greaterThan(0);
    expect(bad[0].message).to.match(/^invalid YAML\/JSON: /);
    expect(bad[0].line).to.be.a('number');
    const duplicate = issuesOf(() => loadDeclarativeConfig(writeTemp('_format_version: "3.0"\nservices: []\nservices: []\n'), settings()));
    expect(duplicate[0].line).to.equal(3);
  });

  it("untrusted_lua = 'off' rejects a file with Lua, naming the field", () => {
    const file = writeYaml({ _format_version: '3.0', plugins: [plugin({ config: { callouts: [{ name: 'c1', request: { url: 'http://c.test/', by_lua: 'local a' } }] } })] });
    expect(lines(issuesOf(() => loadDeclarativeConfig(file, settings({ untrusted_lua: 'off' }))))).to.deep.equal([
      "plugins[1].config.callouts[1].request.by_lua: loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'",
    ]);
    expect(loadDeclarativeConfig(file, settings()).plugins).to.have.length(1);
  });

  it('resolves vault references at load from the given environment', () => {
    const file = writeYaml({ _format_version: '3.0', plugins: [plugin({ config: { callouts: [{ name: 'c1', request: { url: '{vault://env/my-url}' } }] } })] });
    const config = loadDeclarativeConfig(file, settings(), { env: { MY_URL: 'http://from-env.test/' } });
    expect(((config.plugins[0].config.callouts as Record<string, Record<string, unknown>>[])[0].request).url).to.equal('http://from-env.test/');
    expect(lines(issuesOf(() => loadDeclarativeConfig(file, settings(), { env: {} })))).to.deep.equal([
      'plugins[1].config.callouts[1].request.url: could not resolve {vault://env/my-url}: environment variable MY_URL is not set',
    ]);
  });
});
