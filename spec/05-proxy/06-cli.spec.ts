import { expect } from 'chai';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { cliSuite, runCli } from '../helpers/cli';
import { httpCall, startServer, type EchoRecord } from '../helpers/servers';

function configYaml(upstreamPort: number, servicePath: string, extraRoutes = ''): string {
  return `_format_version: "3.0"
services:
- name: echo
  url: http://127.0.0.1:${upstreamPort}${servicePath}
  routes:
  - name: load
    paths: [/load]
${extraRoutes}`;
}

interface LoadResult { ok: number; failed: string[] }

/** `concurrency` clients send requests until `done()` or `maxRequests` in total (bounded). */
async function loadLoop(url: string, concurrency: number, maxRequests: number, done: () => boolean,
  onResponse: (body: string) => void): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const client = async (): Promise<void> => {
    while (!done() && sent < maxRequests) {
      sent++;
      try {
        const res = await httpCall(url, { agent: agent as unknown as false });
        if (res.status === 200) {
          result.ok++;
          onResponse(res.body);
        } else {
          result.failed.push(`status ${res.status}: ${res.body}`);
        }
      } catch (error) {
        result.failed.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  agent.destroy();
  return result;
}

describe('05-proxy luagate start (CLI, child process)', function () {
  this.timeout(60_000);
  const suite = cliSuite((echoPort) => configYaml(echoPort, '/v1'));

  it('refuses to start on a bad config: exit 1 listing every error', async () => {
    suite.files.write('bad.yaml', `_format_version: "3.0"
services:
- name: s1
  url: http://127.0.0.1:1
  connect_timeout: -5
  routes:
  - name: r1
    paths: [/ok]
    methods: [get]
`);
    const cli = runCli(['start', '--config', suite.files.file('bad.yaml'), '--proxy-listen', '127.0.0.1:0']);
    expect(await cli.exited).to.equal(1);
    const err = cli.stderr.join('\n');
    expect(err).to.contain('connect_timeout');
    expect(err).to.contain('methods');
    expect(cli.stdout.join('\n')).to.not.contain('luagate ready');
  });

  it('prints one ready line and proxies; config also from KONG_DECLARATIVE_CONFIG', async () => {
    const gw = await suite.start(['--workers', '1'], { KONG_DECLARATIVE_CONFIG: suite.files.file('kong.yaml') });
    expect(gw.stdout.filter((l) => l.startsWith('luagate ready')).length).to.equal(1);
    expect(gw.stdout[0]).to.match(/workers: 1, routes: 1/);
    const res = await httpCall(`${gw.url}/load/x`);
    expect(res.status).to.equal(200);
    expect((JSON.parse(res.body) as EchoRecord).url).to.equal('/v1/x');
  });

  it('SIGTERM: stops accepting, finishes requests in flight, exits 0', async () => {
    const held: ServerResponse[] = [];
    let arrived: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => { arrived = resolve; });
    const slow = await startServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      held.push(res);
      if (held.length === 5) arrived();
    });
    try {
      suite.files.write('kong.yaml', configYaml(slow.port, ''));
      const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1']);
      const inFlight = Array.from({ length: 5 }, (_, i) => httpCall(`${gw!.url}/load/${i}`, { agent: false }));
      await allArrived;
      gw.child.kill('SIGTERM');
      await gw.waitForLine(/no longer accepting connections/);
      const refused = await httpCall(`${gw.url}/load/late`, { agent: false }).then(() => 'answered', (e: NodeJS.ErrnoException) => e.code);
      expect(refused).to.equal('ECONNREFUSED');
      for (const res of held) res.end('done');
      const results = await Promise.all(inFlight);
      expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(results.every((r) => r.body === 'done')).to.equal(true);
      expect(await gw.exited).to.equal(0);
    } finally {
      await slow.close();
    }
  });

  it('SIGHUP reloads under load without a failed request', async () => {
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1']);
    let sawNew = false;
    let reloadedAt = -1;
    let okCount = 0;
    let warmedUp: () => void = () => undefined;
    const warm = new Promise<void>((resolve) => { warmedUp = resolve; });
    const load = loadLoop(`${gw.url}/load/p`, 8, 20_000, () => sawNew && okCount > reloadedAt + 200, (body) => {
      okCount++;
      if (okCount === 200) warmedUp();
      if ((JSON.parse(body) as EchoRecord).url === '/v2/p') sawNew = true;
    });
    await warm;
    suite.files.write('kong.yaml', configYaml(suite.echo.port, '/v2'));
    gw.child.kill('SIGHUP');
    await gw.waitForLine(/configuration reloaded/);
    reloadedAt = okCount;
    const result = await load;
    expect(result.failed).to.deep.equal([]);
    expect(sawNew).to.equal(true);
    expect(result.ok).to.be.greaterThan(400);
  });

  it('a bad file on SIGHUP is logged and the old config keeps serving', async () => {
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1']);
    suite.files.write('kong.yaml', '_format_version: "3.0"\nservices:\n- name: broken\n  url: not a url\n');
    gw.child.kill('SIGHUP');
    const line = await gw.waitForLine(/configuration reload failed/);
    expect(line).to.match(/\[error\]/);
    const res = await httpCall(`${gw.url}/load/still`);
    expect(res.status).to.equal(200);
    expect((JSON.parse(res.body) as EchoRecord).url).to.equal('/v1/still');
  });

  it('--watch reloads when the file changes', async () => {
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1', '--watch']);
    suite.files.write('kong.yaml', configYaml(suite.echo.port, '/watched'));
    await gw.waitForLine(/configuration reloaded/);
    expect((JSON.parse((await httpCall(`${gw.url}/load/w`)).body) as EchoRecord).url).to.equal('/watched/w');
  });

  it('LUAGATE_LOG_FORMAT=json writes JSON access lines carrying the request id', async () => {
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1'], { LUAGATE_LOG_FORMAT: 'json' });
    const res = await httpCall(`${gw.url}/load/json`);
    const id = res.headers['x-kong-request-id'] as string;
    const line = await gw.waitForLine(new RegExp(id));
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).to.include({ type: 'access', request_id: id, status: 200, method: 'GET', uri: '/load/json' });
  });

  it('--workers 2 serves from both workers, reloads every worker on SIGHUP, exits 0 on SIGTERM', async () => {
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '2'], { LUAGATE_DEBUG_WORKER_HEADER: '1' });
    expect(gw.stdout.find((l) => l.startsWith('luagate ready'))).to.match(/workers: 2/);
    const pids = new Set<string>();
    for (let i = 0; i < 200 && pids.size < 2; i++) {
      const res = await httpCall(`${gw.url}/load/w`, { agent: false });
      expect(res.status).to.equal(200);
      pids.add(res.headers['x-luagate-worker'] as string);
    }
    expect(pids.size).to.equal(2);
    expect([...pids]).to.not.include(String(gw.child.pid));

    suite.files.write('kong.yaml', configYaml(suite.echo.port, '/v3'));
    gw.child.kill('SIGHUP');
    await gw.waitForLine(/configuration reloaded in 2 of 2 workers/);
    for (let i = 0; i < 10; i++) {
      expect((JSON.parse((await httpCall(`${gw.url}/load/z`, { agent: false })).body) as EchoRecord).url).to.equal('/v3/z');
    }
    gw.child.kill('SIGTERM');
    expect(await gw.exited).to.equal(0);
  });
});
