// kong.response.* (kong-behaviour.md §6.3): exit stops everything after it, even inside pcall.
import { expect } from 'chai';
import { makeEngine, makeExchange, chunkRunner, errorOf } from './support';
import type { TestExchange } from './support';

describe('kong.response', () => {
  const engine = makeEngine();
  const run = chunkRunner(engine);
  const P = '[string "request-callout"]:1: ';
  const body = (ex: TestExchange): string => new TextDecoder().decode(ex.response.exit!.body ?? new Uint8Array());

  describe('exit', () => {
    it('JSON-encodes a table body with Content-Type and Content-Length', async () => {
      const ex = makeExchange();
      expect(await run('return kong.response.exit(403, { error = "blocked" })', ex)).to.equal('stopped');
      expect(ex.response.exit!.status).to.equal(403);
      expect(JSON.parse(body(ex))).to.deep.equal({ error: 'blocked' });
      expect(ex.response.exit!.headers).to.deep.equal([['Content-Type', 'application/json; charset=utf-8'], ['Content-Length', String(body(ex).length)]]);
    });
    it('sends a string body without Content-Type (RC-60)', async () => {
      const ex = makeExchange();
      await run('return kong.response.exit(201, "done", { ["X-R"] = "1" })', ex);
      expect(ex.response.exit).to.deep.equal({ status: 201, body: new TextEncoder().encode('done'), headers: [['X-R', '1'], ['Content-Length', '4']] });
    });
    it('keeps a caller Content-Type and sets Content-Length 0 without a body', async () => {
      const ex = makeExchange();
      await run('kong.response.exit(200, { 1 }, { ["Content-Type"] = "application/x-mine" })', ex);
      expect(ex.response.exit!.headers).to.deep.include(['Content-Type', 'application/x-mine']);
      const ex2 = makeExchange();
      await run('kong.response.exit(204)', ex2);
      expect(ex2.response.exit).to.deep.equal({ status: 204, body: null, headers: [['Content-Length', '0']] });
    });
    it('merges headers set earlier with set_header and ignores Transfer-Encoding', async () => {
      const ex = makeExchange();
      await run('kong.response.set_header("X-Early", "e") kong.response.exit(200, "x", { ["Transfer-Encoding"] = "chunked" })', ex);
      expect(ex.response.exit!.headers).to.deep.equal([['X-Early', 'e'], ['Content-Length', '1']]);
      expect(ex.lines.some((l) => l.level === 'warn' && l.message.includes('Transfer-Encoding'))).to.equal(true);
    });
    it('stops the snippet: no code after exit runs, even inside pcall', async () => {
      const ex = makeExchange();
      const out = await run(`
        local ok = pcall(function() kong.response.exit(403, "no") end)
        kong.service.request.set_header("X-After", "ran")
        error("must not run")`, ex);
      expect(out).to.equal('stopped');
      expect(ex.upstream.headers.has('x-after')).to.equal(false);
      expect(ex.response.exit!.status).to.equal(403);
    });
    it('stops from inside a coroutine the snippet created', async () => {
      const ex = makeExchange();
      const out = await run(`
        local co = coroutine.create(function() kong.response.exit(409) end)
        coroutine.resume(co)
        kong.service.request.set_header("X-After", "ran")`, ex);
      expect(out).to.equal('stopped');
      expect(ex.upstream.headers.has('x-after')).to.equal(false);
    });
    it('checks its arguments', async () => {
      expect(await errorOf(run, 'kong.response.exit("200")')).to.equal(`${P}code must be a number`);
      expect(await errorOf(run, 'kong.response.exit(99)')).to.equal(`${P}code must be a number between 100 and 599`);
      expect(await errorOf(run, 'kong.response.exit(600)')).to.equal(`${P}code must be a number between 100 and 599`);
      expect(await errorOf(run, 'kong.response.exit(200, 5)')).to.equal(`${P}body must be a nil, string or table`);
      expect(await errorOf(run, 'kong.response.exit(200, nil, "h")')).to.equal(`${P}headers must be a nil or table`);
      expect(await errorOf(run, 'kong.response.exit(200, nil, { [1] = "h" })')).to.equal(`${P}invalid header name "1": got number, expected string`);
      expect(await errorOf(run, 'kong.response.exit(200, { f = print })')).to.match(/body encoding failed while flushing response: Cannot serialise function/);
    });
  });

  describe('error', () => {
    it('answers JSON with the message and the request id', async () => {
      const ex = makeExchange();
      expect(await run('kong.response.error(404)', ex)).to.equal('stopped');
      expect(JSON.parse(body(ex))).to.deep.equal({ message: 'Not found', request_id: 'req-1' });
      const ex2 = makeExchange();
      await run('kong.response.error(503, "later")', ex2);
      expect(JSON.parse(body(ex2))).to.deep.equal({ message: 'later', request_id: 'req-1' });
    });
    it('checks the status range', async () => {
      expect(await errorOf(run, 'kong.response.error(200)')).to.equal(`${P}code must be a number between 400 and 599`);
    });
  });

  describe('headers and status before the response', () => {
    it('set/add/clear/set_headers/get_header/get_headers act on the client response', async () => {
      const ex = makeExchange();
      const out = await run(`
        local r = kong.response
        r.set_header("X-A", "1") r.add_header("X-A", "2") r.set_header("X-B", "b") r.clear_header("X-B")
        r.set_headers({ ["X-C"] = { "c1", "c2" } })
        return r.get_header("x-a"), r.get_headers()`, ex);
      expect(out).to.deep.equal(['1', { 'x-a': ['1', '2'], 'x-c': ['c1', 'c2'] }]);
      expect(ex.response.headers.entries()).to.deep.equal([['X-A', '1'], ['X-A', '2'], ['X-C', 'c1'], ['X-C', 'c2']]);
    });
    it('set_status / get_status', async () => {
      const ex = makeExchange();
      expect(await run('local before = kong.response.get_status() kong.response.set_status(418) return before, kong.response.get_status()', ex)).to.deep.equal([200, 418]);
      expect(ex.response.status).to.equal(418);
      expect(await errorOf(run, 'kong.response.set_status(700)')).to.equal(`${P}code must be a number between 100 and 599`);
      expect(await errorOf(run, 'kong.response.get_header(false)')).to.equal(`${P}header name must be a string`);
      expect(await errorOf(run, 'kong.response.set_header("x", print)')).to.equal(`${P}invalid header value for "x": got function, expected array of string, string, number or boolean`);
    });
  });
});
