// Per-request parts of ngx: ngx.var, ngx.ctx, ngx.req getters, ngx.log, plus ngx.null, the
// constants and the sandbox's protection of the ngx table. Real VM, in-memory exchanges.
import { expect } from 'chai';
import { HEX, makeExchange, ngxHarness } from './ngx-harness';
import { createScope, releaseScope } from '../../src/pdk';
import { LuaRuntimeError } from '../../src/lua/engine';

describe('ngx per-request API (real VM)', () => {
  const h = ngxHarness();

  describe('ngx.var', () => {
    const exchange = () => makeExchange({
      method: 'POST', path: '/r/a%20b//c/./d/../e', query: 'a=1&B=%20x&a=2&flag&empty=',
      headers: [['Host', 'example.test:8000'], ['X-Foo', '1'], ['x-foo', '2'], ['Cookie', 'sid=abc; Theme=dark'], ['Content-Type', 'text/plain']],
      remoteAddress: '10.1.2.3',
    });

    it('exposes connection and request variables as strings', async () => {
      expect(await h.values(`return ngx.var.request_id, ngx.var.remote_addr, ngx.var.remote_port, ngx.var.host,
        ngx.var.scheme, ngx.var.server_port, ngx.var.request_method, ngx.var.server_protocol, ngx.var.https`, exchange()))
        .to.deep.equal(['req-1', '10.1.2.3', '40000', 'example.test', 'http', '8000', 'POST', 'HTTP/1.1', '']);
    });

    it('answers other keys with nil, from coroutines too, and is unavailable outside a request', async () => {
      expect(await h.values(`local co = coroutine.wrap(function() return ngx.var.REQUEST_METHOD end)
        return ngx.var[1], ngx.var.no_such_variable, co(), pcall(function() return ngx.var.scheme end)`, exchange()))
        .to.deep.equal([null, null, 'POST', true, 'http']);
      const chunk = h.engine.compileChunk('return ngx.var.uri', 'outside');
      const env = h.engine.createChunkEnv();
      try {
        expect(() => h.engine.call(chunk, env, null, () => null)).to.throw(/API disabled in the current context/);
      } finally {
        h.engine.unref(env.ref);
      }
    });

    it('gives uri (decoded, normalised), request_uri (raw) and args', async () => {
      expect(await h.values('return ngx.var.uri, ngx.var.request_uri, ngx.var.args, ngx.var.is_args', exchange()))
        .to.deep.equal(['/r/a b/c/e', '/r/a%20b//c/./d/../e?a=1&B=%20x&a=2&flag&empty=', 'a=1&B=%20x&a=2&flag&empty=', '?']);
      expect(await h.values('return ngx.var.args, ngx.var.is_args', makeExchange({ query: '' }))).to.deep.equal([null, '']);
    });

    it('reads http_*, arg_* and cookie_* as nginx does (joined repeats, raw values, case-insensitive names)', async () => {
      expect(await h.values('return ngx.var.http_x_foo, ngx.var.http_content_type, ngx.var.HTTP_X_FOO, ngx.var.http_missing', exchange()))
        .to.deep.equal(['1, 2', 'text/plain', '1, 2', null]);
      expect(await h.values('return ngx.var.arg_a, ngx.var.arg_b, ngx.var.arg_flag, ngx.var.arg_empty, ngx.var.arg_nope', exchange()))
        .to.deep.equal(['1', '%20x', null, '', null]);
      expect(await h.values('return ngx.var.cookie_sid, ngx.var.cookie_theme, ngx.var.cookie_none', exchange()))
        .to.deep.equal(['abc', 'dark', null]);
    });

    it("reflects plugins' edits of the upstream request and Kong's upstream_* variables", async () => {
      const ex = exchange();
      ex.upstream.headers.set('X-Foo', 'changed');
      ex.upstream.rawQuery = 'z=9';
      expect(await h.values('return ngx.var.http_x_foo, ngx.var.args, ngx.var.arg_z, ngx.var.upstream_uri, ngx.var.upstream_host, ngx.var.upstream_scheme', ex))
        .to.deep.equal(['changed', 'z=9', '9', '/r/a%20b//c/./d/../e', 'upstream.test', 'http']);
    });

    it('writes upstream_uri, upstream_host and args; refuses other variables', async () => {
      const ex = exchange();
      await h.values('ngx.var.upstream_uri = "/new" ngx.var.upstream_host = "h.test" ngx.var.args = "q=1"', ex);
      expect([ex.upstream.path, ex.upstream.hostHeader, ex.upstream.rawQuery]).to.deep.equal(['/new', 'h.test', 'q=1']);
      expect(await h.error('ngx.var.host = "x"', exchange())).to.include('variable "host" not changeable');
      expect(await h.error('ngx.var.my_var = "x"', exchange())).to.include('variable "my_var" not found for writing');
      expect(await h.error('ngx.var.upstream_uri = {}', exchange())).to.include('bad value type for ngx.var.upstream_uri: table');
    });

    it('returns the raw address bytes for binary_remote_addr', async () => {
      expect(await h.values(`${HEX}return hex(ngx.var.binary_remote_addr)`, exchange())).to.deep.equal(['0a010203']);
    });
  });

  describe('ngx.ctx', () => {
    it('is one table per request, kept across calls of that request', async () => {
      const source = 'ngx.ctx.n = (ngx.ctx.n or 0) + 1 return ngx.ctx.n';
      const scope = createScope(makeExchange());
      try {
        expect(await h.run(source, scope.exchange, scope)).to.deep.equal([1]);
        expect(await h.run(source, scope.exchange, scope)).to.deep.equal([2]);
      } finally {
        releaseScope(h.engine, scope);
      }
      expect(await h.values(source)).to.deep.equal([1]);
    });

    it('can be replaced by a table, not by anything else', async () => {
      expect(await h.values('ngx.ctx.a = 1 ngx.ctx = { b = 2 } return ngx.ctx.a, ngx.ctx.b')).to.deep.equal([null, 2]);
      expect(await h.error('ngx.ctx = "x"')).to.include('ctx should be a table while getting a string');
    });

    it('is unavailable outside a request', async () => {
      const chunk = h.engine.compileChunk('return ngx.ctx', 'outside');
      const env = h.engine.createChunkEnv();
      try {
        await h.engine.call(chunk, env, null, () => null);
        expect.fail('expected an error');
      } catch (e) {
        expect(e).to.be.instanceOf(LuaRuntimeError);
        expect((e as Error).message).to.include('API disabled in the current context');
      } finally {
        h.engine.unref(env.ref);
      }
    });
  });

  describe('ngx.req', () => {
    it('get_headers: lower-case keys, arrays for repeats, normalised lookups, raw mode and limits', async () => {
      const ex = makeExchange({ headers: [['Host', 'h'], ['X-Multi', 'a'], ['X-Multi', 'b'], ['Content-Type', 'text/plain']] });
      expect(await h.values('local hs = ngx.req.get_headers() return hs.host, hs["x-multi"], hs.content_type, hs["Content-Type"]', ex))
        .to.deep.equal(['h', ['a', 'b'], 'text/plain', 'text/plain']);
      expect(await h.values('local hs = ngx.req.get_headers(0, true) return hs["Content-Type"], hs["content-type"]', ex))
        .to.deep.equal(['text/plain', null]);
      expect(await h.values('local hs, err = ngx.req.get_headers(2) return hs.host, hs["content-type"], err', ex))
        .to.deep.equal(['h', null, 'truncated']);
    });

    it('get_uri_args, get_method, http_version, start_time and is_internal', async () => {
      const ex = makeExchange({ method: 'PUT', query: 'a=1&a=2&b' });
      expect(await h.values('return ngx.req.get_uri_args(), ngx.req.get_method(), ngx.req.http_version(), ngx.req.start_time(), ngx.req.is_internal()', ex))
        .to.deep.equal([{ a: ['1', '2'], b: true }, 'PUT', 1.1, 1_700_000_000.123, false]);
      expect(await h.values('local args, err = ngx.req.get_uri_args(1) return args.a, args.b, err', ex)).to.deep.equal(['1', null, 'truncated']);
    });

    it('read_body waits for the body; get_body_data returns it byte for byte', async () => {
      const body = Uint8Array.of(0, 255, 128, 10);
      const ex = makeExchange({ method: 'POST', body, bodyBuffered: false });
      expect(await h.values(`${HEX}local before = ngx.req.get_body_data() ngx.req.read_body() return before, hex(ngx.req.get_body_data()), hex(ngx.req.get_body_data(2))`, ex))
        .to.deep.equal([null, '00ff800a', '00ff']);
      ex.upstream.body = new TextEncoder().encode('replaced');
      expect(await h.values('return ngx.req.get_body_data(), ngx.var.request_body', ex)).to.deep.equal(['replaced', 'replaced']);
    });

    it('cannot be modified', async () => {
      expect(await h.error('ngx.req.get_method = print')).to.include('Cannot modify ngx.req.get_method. Protected by the sandbox.');
    });
  });

  describe('ngx.log', () => {
    it('concatenates its arguments and writes them at the given level with the caller position', async () => {
      const ex = makeExchange();
      await h.values('ngx.log(ngx.ERR, "failed: ", 42, " ", nil, " ", true, " ", ngx.null, " ", 0.5)\nngx.log(ngx.INFO, "second")', ex);
      expect(ex.lines).to.have.length(2);
      expect(ex.lines[0].level).to.equal('error');
      expect(ex.lines[0].message).to.match(/^\[lua\] .*ngx-spec.*:1: failed: 42 nil true null 0\.5$/);
      expect(ex.lines[1]).to.include({ level: 'info' });
      expect(ex.lines[1].message).to.match(/:2: second$/);
    });

    it('rejects tables without __tostring, other values and bad levels', async () => {
      const ex = makeExchange();
      await h.values('ngx.log(ngx.WARN, "x")', ex);
      expect(ex.lines[0]).to.include({ level: 'warn' });
      expect(await h.error('ngx.log(ngx.ERR, {})')).to.include("bad argument #2 to 'log' (expected table to have __tostring metamethod)");
      expect(await h.error('ngx.log(ngx.ERR, print)')).to.include('string, number, boolean, or nil expected, got function');
      expect(await h.error('ngx.log(9, "x")')).to.include('bad log level: 9');
      expect(await h.error('ngx.log("x")')).to.include("bad argument #1 to 'log' (number expected, got string)");
    });
  });

  describe('constants, ngx.null and the table itself', () => {
    it('has lua-nginx-module constant values', async () => {
      expect(await h.values('return ngx.OK, ngx.ERROR, ngx.AGAIN, ngx.DONE, ngx.DECLINED, ngx.HTTP_OK, ngx.HTTP_NOT_FOUND, ngx.HTTP_INTERNAL_SERVER_ERROR, ngx.HTTP_GET, ngx.HTTP_POST'))
        .to.deep.equal([0, -1, -2, -4, -5, 200, 404, 500, 2, 8]);
      expect(await h.values('return ngx.STDERR, ngx.EMERG, ngx.ALERT, ngx.CRIT, ngx.ERR, ngx.WARN, ngx.NOTICE, ngx.INFO, ngx.DEBUG'))
        .to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('ngx.null is the light userdata cjson.null is, and it is truthy', async () => {
      expect(await h.values('local cjson = require "cjson" return ngx.null == cjson.null, type(ngx.null), ngx.null and true, cjson.encode({ngx.null})'))
        .to.deep.equal([true, 'userdata', true, '[null]']);
    });

    it('refuses writes to ngx and iterates its fields', async () => {
      expect(await h.error('ngx.say = print')).to.include('Cannot modify ngx.say. Protected by the sandbox.');
      expect(await h.values('local n = 0 for k in pairs(ngx) do if k == "re" or k == "md5" then n = n + 1 end end return n')).to.deep.equal([2]);
    });

    it('get_phase, config and worker report an access-phase http worker; sleep yields and resumes', async () => {
      expect(await h.values('ngx.sleep(0) return ngx.get_phase(), ngx.config.subsystem, ngx.worker.id(), ngx.worker.count()'))
        .to.deep.equal(['access', 'http', 0, 1]);
      expect(await h.error('ngx.sleep(-1)')).to.include('invalid sleep duration');
    });
  });
});
