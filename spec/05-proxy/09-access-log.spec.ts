import { expect } from 'chai';
import * as fs from 'node:fs';
import { cliSuite, runCli } from '../helpers/cli';
import { httpCall, type EchoRecord } from '../helpers/servers';

function configYaml(upstreamPort: number): string {
  return `_format_version: "3.0"
services:
- name: echo
  url: http://127.0.0.1:${upstreamPort}
  routes:
  - name: logged
    paths: [/logged]
`;
}

/** Re-reads `file` until `done(lines)` holds; fails with the file's content after `timeoutMs`. */
async function pollFile(file: string, done: (lines: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
    if (done(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`${file} did not reach the expected content in ${timeoutMs} ms; it holds:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ACCESS_LINE = /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/logged\/\S+ HTTP\/1\.1" 200 \d+ .* request_id=(\S+) latency=/;

describe('05-proxy proxy_access_log (CLI, child process)', function () {
  this.timeout(60_000);
  const suite = cliSuite(configYaml);

  it('a file path: access lines are appended to the file (not stdout); nginx parameters after it are named in one warning', async () => {
    const logFile = suite.files.file('access.log');
    fs.writeFileSync(logFile, 'a line from before\n');
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1'],
      { KONG_PROXY_ACCESS_LOG: `${logFile} buffer=32k kong_format` });
    const res = await httpCall(`${gw.url}/logged/to-file`);
    expect(res.status).to.equal(200);
    const id = res.headers['x-kong-request-id'] as string;
    const lines = await pollFile(logFile, (current) => current.some((line) => line.includes(`request_id=${id}`)));
    expect(lines[0]).to.equal('a line from before');
    expect(lines.slice(1)).to.have.length(1);
    expect(lines[1]).to.match(ACCESS_LINE);
    expect(lines[1]).to.contain('"GET /logged/to-file HTTP/1.1" 200');

    gw.child.kill('SIGTERM');
    expect(await gw.exited).to.equal(0);
    expect(gw.stdout.filter((line) => line.includes(id))).to.deep.equal([]);
    const warnings = gw.stderr.filter((line) => line.includes('proxy_access_log'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/\[warn\].*proxy_access_log: nginx parameters after the path are ignored: buffer=32k kong_format$/);
  });

  it('--workers 2: every worker appends whole lines to the same file', async () => {
    const logFile = suite.files.file('shared.log');
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '2'], { KONG_PROXY_ACCESS_LOG: logFile });
    const ids = new Set<string>();
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => httpCall(`${gw!.url}/logged/w${i}`, { agent: false })));
    for (const res of responses) {
      expect(res.status).to.equal(200);
      ids.add(res.headers['x-kong-request-id'] as string);
    }
    const lines = await pollFile(logFile, (current) => current.length >= ids.size);
    expect(lines).to.have.length(ids.size);
    const logged = lines.map((line) => {
      const match = ACCESS_LINE.exec(line);
      expect(match, line).to.not.equal(null);
      return (match as RegExpExecArray)[1];
    });
    expect(new Set(logged)).to.deep.equal(ids);
  });

  it('off: the request succeeds and no access line is written to stdout', async () => {
    const gw = await suite.start(['--config', suite.files.file('kong.yaml'), '--workers', '1'], { KONG_PROXY_ACCESS_LOG: 'off' });
    const res = await httpCall(`${gw.url}/logged/quiet`);
    expect(res.status).to.equal(200);
    expect((JSON.parse(res.body) as EchoRecord).url).to.equal('/quiet');
    // Lines still queued are written at exit, so after exit stdout is complete.
    gw.child.kill('SIGTERM');
    expect(await gw.exited).to.equal(0);
    expect(gw.stdout.filter((line) => line.includes('/logged/quiet'))).to.deep.equal([]);
    expect(gw.stdout.filter((line) => line.startsWith('luagate ready'))).to.have.length(1);
  });

  it('a file that cannot be opened: start fails (exit 1) naming proxy_access_log, the path and the OS error', async () => {
    const unopenable = suite.files.file('no-such-dir/access.log');
    const cli = runCli(['start', '--config', suite.files.file('kong.yaml'), '--proxy-listen', '127.0.0.1:0', '--workers', '1'],
      { KONG_PROXY_ACCESS_LOG: unopenable });
    expect(await cli.exited).to.equal(1);
    const err = cli.stderr.join('\n');
    expect(err).to.contain(`proxy_access_log: cannot open ${unopenable}`);
    expect(err).to.contain('ENOENT');
    expect(cli.stdout.join('\n')).to.not.contain('luagate ready');
    expect(fs.existsSync(suite.files.file('no-such-dir'))).to.equal(false);
  });
});
