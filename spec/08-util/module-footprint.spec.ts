// What a gateway process loads: undici's dispatchers from their own modules (not its index, which
// brings fetch, WebSocket and the mocks), ioredis only with a Redis cache, and fengari's debug
// prompt library only when debug.debug asks for input.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as undici from 'undici';
import { Agent, Pool, ProxyAgent, buildConnector } from '../../src/util/undici';

describe('08-util module footprint', () => {
  it('the undici classes loaded from their own modules are the ones undici exports', () => {
    expect(Pool).to.equal(undici.Pool);
    expect(Agent).to.equal(undici.Agent);
    expect(ProxyAgent).to.equal(undici.ProxyAgent);
    expect(buildConnector).to.equal(undici.buildConnector);
  });

  it('loading the gateway, the plugins and the CLI loads neither undici\'s index, ioredis nor readline-sync; dispatchers still have the request API', () => {
    const dist = path.join(__dirname, '..', '..', 'src');
    const script = `
      for (const m of ['proxy/gateway', 'plugins/registry', 'cli/main', 'cache']) require(${JSON.stringify(dist)} + '/' + m);
      const loaded = Object.keys(require.cache);
      const has = (part) => loaded.some((file) => file.includes(part));
      const Pool = require(${JSON.stringify(dist)} + '/util/undici').Pool;
      console.log(JSON.stringify({ undiciPool: has('undici/lib/dispatcher/pool'), undiciIndex: has('undici/index.js'),
        requestApi: ['request', 'stream', 'connect'].every((m) => typeof Pool.prototype[m] === 'function'),
        fetch: has('undici/lib/web/fetch'), ioredis: has('/ioredis/'), readlineSync: has('readline-sync') }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, boolean>;
    expect(out).to.deep.equal({ undiciPool: true, undiciIndex: false, requestApi: true, fetch: false, ioredis: false, readlineSync: false });
  });
});
