// kong.service.request.* acting on exchange.upstream (kong-behaviour.md §6.2).
import { expect } from 'chai';
import { makeEngine, makeExchange, chunkRunner, errorOf } from './support';
import type { TestExchange } from './support';

describe('kong.service.request', () => {
  const engine = makeEngine();
  const run = chunkRunner(engine);
  const P = '[string "request-callout"]:1: ';
  async function after(source: string, exchange: TestExchange = makeExchange()): Promise<TestExchange> {
    await run(source, exchange);
    return exchange;
  }
  const text = (b: Uint8Array | null | undefined): string | null | undefined => (b instanceof Uint8Array ? new TextDecoder().decode(b) : b);

  describe('headers', () => {
    it('set_header replaces every value; numbers and booleans become text; "" becomes " "', async () => {
      const ex = await after('local s = kong.service.request\ns.set_header("X-A", "1")\ns.set_header("x-n", 5)\ns.set_header("X-B", true)\ns.set_header("X-E", "")\ns.set_header("X-L", {"a", "b"})',
        makeExchange({ headers: [['X-A', 'old'], ['x-a', 'old2']] }));
      expect(ex.upstream.headers.getAll('x-a')).to.deep.equal(['1']);
      expect(ex.upstream.headers.get('x-n')).to.equal('5');
      expect(ex.upstream.headers.get('x-b')).to.equal('true');
      expect(ex.upstream.headers.get('x-e')).to.equal(' ');
      expect(ex.upstream.headers.getAll('x-l')).to.deep.equal(['a', 'b']);
      expect(ex.request.headers.get('x-a')).to.equal('old');
    });
    it('set_header("Host") also sets the upstream Host', async () => {
      const ex = await after('kong.service.request.set_header("Host", "api.test")');
      expect(ex.upstream.hostHeader).to.equal('api.test');
    });
    it('add_header appends; clear_header removes every occurrence', async () => {
      const ex = await after('kong.service.request.add_header("X-A", "2") kong.service.request.add_header("X-A", 3) kong.service.request.clear_header("x-b")',
        makeExchange({ headers: [['X-A', '1'], ['X-B', 'b'], ['X-B', 'c']] }));
      expect(ex.upstream.headers.getAll('x-a')).to.deep.equal(['1', '2', '3']);
      expect(ex.upstream.headers.has('x-b')).to.equal(false);
    });
    it('set_headers sets each key and leaves the others', async () => {
      const ex = await after('kong.service.request.set_headers({ ["X-A"] = "n", ["X-C"] = { "1", "2" } })', makeExchange({ headers: [['X-A', '1'], ['X-B', 'b']] }));
      expect(ex.upstream.headers.entries()).to.deep.equal([['X-A', 'n'], ['X-B', 'b'], ['X-C', '1'], ['X-C', '2']]);
    });
    it('checks header arguments with Kong messages', async () => {
      expect(await errorOf(run, 'kong.service.request.set_header(nil, "v")')).to.equal(`${P}invalid header name "nil": got nil, expected string`);
      expect(await errorOf(run, 'kong.service.request.set_header(1, "v")')).to.equal(`${P}invalid header name "1": got number, expected string`);
      expect(await errorOf(run, 'kong.service.request.set_header("x", nil)')).to.equal(`${P}invalid header value for "x": got nil, expected array of string, string, number or boolean`);
      expect(await errorOf(run, 'kong.service.request.add_header("x", {1})')).to.equal(`${P}invalid header value in array "x": got number, expected string`);
      expect(await errorOf(run, 'kong.service.request.clear_header(1)')).to.equal(`${P}header must be a string`);
      expect(await errorOf(run, 'kong.service.request.set_headers("x")')).to.equal(`${P}headers must be a table`);
      expect(await errorOf(run, 'kong.service.request.set_headers({ [1] = "x" })')).to.equal(`${P}invalid header name "1": got number, expected string`);
      expect(await errorOf(run, 'kong.service.request.set_headers({ x = print })')).to.equal(`${P}invalid header value for "x": got function, expected string, number, boolean or array of strings`);
    });
  });

  describe('query', () => {
    it('set_query orders keys, encodes values, true is a bare key, arrays repeat', async () => {
      const ex = await after('kong.service.request.set_query({ foo = "hello world", bar = { "baz", "bla", true }, zzz = true, blo = "", n = 1.5, off = false })');
      // `off = false` encodes to "" and, as in Kong's make_ordered_args, still takes a slot.
      expect(ex.upstream.rawQuery).to.equal('&bar=baz&bar=bla&bar&blo=&foo=hello%20world&n=1.5&zzz');
      const plain = await after('kong.service.request.set_query({ b = "2", a = "1" })');
      expect(plain.upstream.rawQuery).to.equal('a=1&b=2');
    });
    it('set_raw_query is verbatim', async () => {
      expect((await after('kong.service.request.set_raw_query("a=1&b=%20")')).upstream.rawQuery).to.equal('a=1&b=%20');
    });
    it('clear_query_arg removes every occurrence and keeps the order', async () => {
      const ex = await after('kong.service.request.clear_query_arg("a")', makeExchange({ query: 'z=1&a=1&b=x+y&a&c=3' }));
      expect(ex.upstream.rawQuery).to.equal('z=1&b=x%20y&c=3');
    });
    it('checks its arguments', async () => {
      expect(await errorOf(run, 'kong.service.request.set_query("a")')).to.equal(`${P}args must be a table`);
      expect(await errorOf(run, 'kong.service.request.set_query({ [1] = "a" })')).to.equal(`${P}arg keys must be strings`);
      expect(await errorOf(run, 'kong.service.request.set_raw_query(1)')).to.equal(`${P}query must be a string`);
      expect(await errorOf(run, 'kong.service.request.clear_query_arg(nil)')).to.equal(`${P}query argument name must be a string`);
    });
  });

  describe('path, method, scheme', () => {
    it('set_path escapes for the wire', async () => {
      expect((await after('kong.service.request.set_path("/v2/mo vies/😀")')).upstream.path).to.equal('/v2/mo%20vies/%F0%9F%98%80');
    });
    it('set_method and set_scheme', async () => {
      const ex = await after('kong.service.request.set_method("PATCH") kong.service.request.set_scheme("https")');
      expect([ex.upstream.method, ex.upstream.scheme]).to.deep.equal(['PATCH', 'https']);
    });
    it('checks their arguments', async () => {
      expect(await errorOf(run, 'kong.service.request.set_path(1)')).to.equal(`${P}path must be a string`);
      expect(await errorOf(run, 'kong.service.request.set_path("v2")')).to.equal(`${P}path must start with /`);
      expect(await errorOf(run, 'kong.service.request.set_method("get")')).to.equal(`${P}invalid method: get`);
      expect(await errorOf(run, 'kong.service.request.set_method(1)')).to.equal(`${P}method must be a string`);
      expect(await errorOf(run, 'kong.service.request.set_scheme("ftp")')).to.equal(`${P}invalid scheme: ftp`);
      expect(await errorOf(run, 'kong.service.request.set_scheme(nil)')).to.equal(`${P}scheme must be a string`);
    });
  });

  describe('body', () => {
    it('set_raw_body replaces the body bytes', async () => {
      const ex = await after('kong.service.request.set_raw_body("a\\0b")');
      expect([...(ex.upstream.body as Uint8Array)]).to.deep.equal([97, 0, 98]);
    });
    it('set_body encodes JSON and sets Content-Type', async () => {
      const ex = await after('return kong.service.request.set_body({ a = 1, b = { 1, 2 }, s = "x/y" }, "application/json")');
      expect(JSON.parse(text(ex.upstream.body) as string)).to.deep.equal({ a: 1, b: [1, 2], s: 'x/y' });
      expect(text(ex.upstream.body)).to.include('"x\\/y"');
      expect(ex.upstream.headers.get('content-type')).to.equal('application/json');
    });
    it('set_body picks the encoder from the request Content-Type', async () => {
      const ex = await after('kong.service.request.set_body({ b = "x y", a = { "1", "2" } })', makeExchange({ headers: [['Content-Type', 'application/x-www-form-urlencoded']] }));
      expect(text(ex.upstream.body)).to.equal('a=1&a=2&b=x%20y');
    });
    it('set_body encodes multipart with the given boundary, fields sorted', async () => {
      const ex = await after('kong.service.request.set_body({ b = "2", a = 1 }, "multipart/form-data; boundary=BB")');
      expect(text(ex.upstream.body)).to.equal('--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--BB\r\nContent-Disposition: form-data; name="b"\r\n\r\n2\r\n--BB--\r\n');
      expect(ex.upstream.headers.get('content-type')).to.equal('multipart/form-data; boundary=BB');
    });
    it('set_body without any content type returns nil, err', async () => {
      expect(await run('return kong.service.request.set_body({})', makeExchange())).to.deep.equal([null, 'content type was neither explicitly given as an argument or received as a header']);
    });
    it('checks its arguments', async () => {
      expect(await errorOf(run, 'kong.service.request.set_raw_body(1)')).to.equal(`${P}body must be a string`);
      expect(await errorOf(run, 'kong.service.request.set_body("x")')).to.equal(`${P}args must be a table`);
      expect(await errorOf(run, 'kong.service.request.set_body({}, "text/plain")')).to.equal(`${P}unsupported content type text/plain`);
    });
  });
});
