// installPdk: the kong table as snippets see it in sandbox mode, with ngx.* and the misc namespaces.
import { expect } from 'chai';
import { LuaEngine } from '../../src/lua/engine';
import { installBuiltinModules } from '../../src/lua/modules';
import { installPdk } from '../../src/pdk';
import { chunkRunner, errorOf, makeExchange } from './support';

describe('installPdk', () => {
  const engine = new LuaEngine({ mode: 'sandbox' });
  installBuiltinModules(engine);
  installPdk(engine);
  engine.seal();
  const run = chunkRunner(engine);

  it('defines every namespace, plus ngx and kong.client/router/vault/node when installed in full', async () => {
    expect(await run(`return type(kong.request.get_header), type(kong.service.request.set_header), type(kong.response.exit),
      type(kong.ctx.shared), type(kong.log), type(kong.log.err), type(kong.client.get_ip), type(ngx.escape_uri)`, makeExchange()))
      .to.deep.equal(['function', 'function', 'function', 'table', 'table', 'function', 'function', 'function']);
  });

  it('freezes the plain namespaces in sandbox mode', async () => {
    expect(await errorOf(run, 'kong.request.get_header = nil')).to.match(/Cannot modify kong\.request\.get_header\. Protected by the sandbox\./);
    expect(await errorOf(run, 'kong.service.request.x = 1')).to.match(/Protected by the sandbox/);
  });

  it('raises a clear error when PDK code runs outside a request', async () => {
    const chunk = engine.compileChunk('return kong.request.get_method()', 'outside');
    const env = engine.createChunkEnv();
    expect(() => engine.call(chunk, env, null, () => null)).to.throw(/can only be called while a request is being processed/);
  });
});
