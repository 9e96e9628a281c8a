// The engine: compile once / call many, environments, async host calls, stop, error mapping.
import { expect } from 'chai';
import { LuaHarness, readAll } from '../helpers/lua';
import { LuaDisabledError, LuaRuntimeError, LuaSyntaxError } from '../../src/lua/errors';
import { lua, lauxlib } from '../../src/lua/fengari';
import type { LuaEngine } from '../../src/lua/engine';

function asyncDouble(engine: LuaEngine): void {
  engine.defineGlobals((L) => {
    lua.lua_pushcfunction(L, (co) => {
      const n = lauxlib.luaL_checknumber(co, 1);
      return engine.suspend(co, new Promise((resolve) => setImmediate(() => resolve((T) => { lua.lua_pushnumber(T, n * 2); return 1; }))));
    });
    lua.lua_setfield(L, -2, 'async_double');
    lua.lua_pushcfunction(L, (co) => engine.stop(co));
    lua.lua_setfield(L, -2, 'stop_request');
    lua.lua_pushcfunction(L, (co) => {
      lua.lua_pushstring(co, String(engine.currentHost));
      return 1;
    });
    lua.lua_setfield(L, -2, 'current_host');
    lua.lua_pushcfunction(L, () => {
      throw new TypeError('boom from JS');
    });
    lua.lua_setfield(L, -2, 'js_throws');
  });
}

describe('01-lua engine', () => {
  // Host functions are plain globals, which only the `on` mode exposes (the sandbox is an allow-list).
  const h = new LuaHarness({ mode: 'on' }, asyncDouble);

  it('compiles once and calls many times with arguments', async () => {
    const chunk = h.engine.compileChunk('local a, b = ...; return a + b, select("#", ...)', 'add');
    const env = h.engine.createChunkEnv();
    for (let i = 0; i < 50; i++) {
      const out = await h.engine.call(chunk, env, null, readAll, (L) => { lua.lua_pushnumber(L, i); lua.lua_pushnumber(L, 1); return 2; });
      expect(out).to.deep.equal({ kind: 'returned', value: [i + 1, 2] });
    }
  });

  it('returns synchronously when the snippet never waits on the host', () => {
    const { chunk, env } = h.compile('return 42');
    const out = h.engine.call(chunk, env, null, readAll);
    expect(out).to.not.be.instanceOf(Promise);
    expect(out).to.deep.equal({ kind: 'returned', value: [42] });
  });

  it('keeps globals of a chunk across calls, separate from other chunks (decision 27)', async () => {
    const counter = h.compile('n = (n or 0) + 1; return n');
    const other = h.compile('return n');
    expect(await h.call(counter.chunk, counter.env)).to.deep.equal([1]);
    expect(await h.call(counter.chunk, counter.env)).to.deep.equal([2]);
    expect(await h.call(other.chunk, other.env)).to.deep.equal([null]);
  });

  it('waits on async host functions, also across pcall, and resumes with their results', async () => {
    expect(await h.run('local ok, v = pcall(async_double, 21); return ok, v, async_double(5)')).to.deep.equal([true, 42, 10]);
  });

  it('runs many suspended calls interleaved without mixing their hosts', async () => {
    const { chunk, env } = h.compile('local before = current_host(); local v = async_double(...); return before, current_host(), v');
    const calls = Array.from({ length: 100 }, (_, i) =>
      h.engine.call(chunk, env, `host-${i}`, readAll, (L) => { lua.lua_pushnumber(L, i); return 1; }));
    const results = await Promise.all(calls);
    results.forEach((r, i) => expect(r).to.deep.equal({ kind: 'returned', value: [`host-${i}`, `host-${i}`, i * 2] }));
  });

  it('refuses to wait from inside a snippet coroutine', async () => {
    const [ok, err] = await h.run('return coroutine.wrap(function() return pcall(async_double, 1) end)()');
    expect(ok).to.equal(false);
    expect(err).to.contain('attempt to yield across C-call boundary');
  });

  it('stop ends the call for good: pcall cannot swallow it, nothing after it runs', async () => {
    const { chunk, env } = h.compile('pcall(stop_request); after = true; return "ran on"');
    expect(await h.engine.call(chunk, env, null, readAll)).to.deep.equal({ kind: 'stopped' });
    const probe = h.engine.compileChunk('return after', 'probe');
    expect(await h.call(probe, env)).to.deep.equal([null]);
  });

  it('stop from inside a snippet coroutine also ends the whole call', async () => {
    const { chunk, env } = h.compile('coroutine.wrap(function() stop_request() end)(); reached = true; return 1');
    expect(await h.engine.call(chunk, env, null, readAll)).to.deep.equal({ kind: 'stopped' });
    expect(await h.call(h.engine.compileChunk('return reached', 'probe'), env)).to.deep.equal([null]);
  });

  it('turns a JS exception in a host function into a catchable Lua string, never an object', async () => {
    const [ok, err, kind] = await h.run('local ok, e = pcall(js_throws); return ok, e, type(e)');
    expect(ok).to.equal(false);
    expect(kind).to.equal('string');
    expect(err).to.contain('boom from JS');
  });

  it('reports runtime errors with LuaJIT wording and the chunk name', async () => {
    const cases: Array<[string, string]> = [
      ['local x = nil\nreturn x.y', `[string "request-callout"]:2: attempt to index local 'x' (a nil value)`],
      ['f()', `[string "request-callout"]:1: attempt to call global 'f' (a nil value)`],
      ['local a = {}; return a.b.c', `[string "request-callout"]:1: attempt to index field 'b' (a nil value)`],
      ['local s = "x"; s:m()', `[string "request-callout"]:1: attempt to call method 'm' (a nil value)`],
      ['return nil < 1', `[string "request-callout"]:1: attempt to compare nil with number`],
      ['return string.rep()', `[string "request-callout"]:1: bad argument #1 to 'rep' (string expected, got no value)`],
      ['return {} .. "x"', `[string "request-callout"]:1: attempt to concatenate a table value`],
      ['local t = {}; return t.n + 1', `[string "request-callout"]:1: attempt to perform arithmetic on field 'n' (a nil value)`],
      ['error("plain")', `[string "request-callout"]:1: plain`],
      ['error({code = 1})', '(error object is a table value)'],
    ];
    for (const [source, message] of cases) {
      let caught: unknown;
      try {
        await h.run(source, 'request-callout');
      } catch (err) {
        caught = err;
      }
      expect(caught, source).to.be.instanceOf(LuaRuntimeError);
      expect((caught as LuaRuntimeError).message, source).to.equal(message);
      expect((caught as LuaRuntimeError).chunkName).to.equal('request-callout');
    }
  });

  it('rejects syntax errors at compile time with Kong-style messages', () => {
    expect(() => h.engine.compileChunk('kong.ctx.shared.callouts.["c1"] = 1', 'request-callout'))
      .to.throw(LuaSyntaxError, `[string "request-callout"]:1: '<name>' expected near '['`);
  });

  it('rejects Lua 5.3-only syntax as LuaJIT does', () => {
    for (const src of ['return 7 // 2', 'return 1 & 2', 'return 1 | 2', 'return 1 << 2', 'return 1 >> 2', 'return ~1']) {
      expect(() => h.engine.compileChunk(src, 'x'), src).to.throw(LuaSyntaxError);
    }
  });

  it('in `on` mode exposes the full globals but keeps writes in the chunk', async () => {
    const on = new LuaHarness({ mode: 'on' });
    expect(await on.run('x_global = 1; return type(setmetatable), type(getmetatable), type(loadstring), type(rawget)'))
      .to.deep.equal(['function', 'function', 'function', 'function']);
    expect(await on.run('return x_global')).to.deep.equal([null]);
  });

  it('in `on` mode still refuses binary chunks and has no debug/io.open/os.execute', async () => {
    const on = new LuaHarness({ mode: 'on' });
    const [fn, err] = await on.run('return loadstring("\\27Lua")');
    expect(fn).to.equal(null);
    expect(String(err)).to.match(/binary/);
    expect(await on.run('return debug, io and io.open, os.execute')).to.deep.equal([null, null, null]);
  });

  it('with untrusted_lua = off refuses to load any Lua', () => {
    const off = new LuaHarness({ mode: 'off' });
    expect(() => off.engine.compileChunk('return 1', 'request-callout')).to.throw(LuaDisabledError,
      "loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'");
  });

  it('require loads allow-listed modules only (untrusted_lua_sandbox_requires)', async () => {
    const allowed = new LuaHarness({ mode: 'sandbox', sandboxRequires: ['cjson'] });
    expect(await allowed.run('return require("cjson").encode({1})')).to.deep.equal(['[1]']);
    let caught: unknown;
    try { await allowed.run('return require("cjson.safe")'); } catch (err) { caught = err; }
    expect((caught as Error).message).to.contain("require 'cjson.safe' not allowed within sandbox");
  });

  it('exposes untrusted_lua_sandbox_environment names read-through', async () => {
    const exposed = new LuaHarness({ mode: 'sandbox', sandboxEnvironment: ['my.value'] }, (engine) => {
      engine.defineGlobals((L) => {
        lua.lua_createtable(L, 0, 2);
        lua.lua_pushstring(L, 'hello');
        lua.lua_setfield(L, -2, 'value');
        lua.lua_pushstring(L, 'hidden');
        lua.lua_setfield(L, -2, 'secret');
        lua.lua_setfield(L, -2, 'my');
      });
    });
    expect(await exposed.run('return my.value, my.secret')).to.deep.equal(['hello', null]);
  });
});
