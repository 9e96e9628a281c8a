// kong.request.* on in-memory exchanges (kong-behaviour.md §6.1).
import { expect } from 'chai';
import { makeEngine, makeExchange, chunkRunner, errorOf } from './support';
import type { ExchangeSpec } from './support';

describe('kong.request', () => {
  const engine = makeEngine();
  const run = chunkRunner(engine);
  const trustedRun = chunkRunner(makeEngine({}, true));
  const get = async (expr: string, spec: ExchangeSpec = {}): Promise<unknown> => (await run(`return ${expr}`, makeExchange(spec)) as unknown[])[0];

  it('get_scheme, get_host, get_port, get_http_version, get_method, get_id, get_start_time', async () => {
    expect(await run('return kong.request.get_scheme(), kong.request.get_host(), kong.request.get_port(), kong.request.get_http_version(), kong.request.get_method(), kong.request.get_id(), kong.request.get_start_time()', makeExchange({ method: 'POST' })))
      .to.deep.equal(['http', 'example.test', 8000, 1.1, 'POST', 'req-1', 1_700_000_000_123]);
  });

  it('get_path normalises; get_raw_path does not; get_path_with_query and get_raw_query', async () => {
    const spec = { path: '/a//b/./c/../%7Euser/%2f', query: 'x=1&y' };
    expect(await get('kong.request.get_path()', spec)).to.equal('/a/b/~user/%2F');
    expect(await get('kong.request.get_raw_path()', spec)).to.equal('/a//b/./c/../%7Euser/%2f');
    expect(await get('kong.request.get_path_with_query()', spec)).to.equal('/a//b/./c/../%7Euser/%2f?x=1&y');
    expect(await get('kong.request.get_raw_query()', spec)).to.equal('x=1&y');
    expect(await get('kong.request.get_raw_query()')).to.equal('');
    expect(await get('kong.request.get_path_with_query()')).to.equal('/r');
  });

  describe('query', () => {
    const spec = { query: 'a=1&a=2&flag&empty=&sp=a+b%20c&pct=%zz&=novalue' };
    it('get_query_arg returns the first value, true for a flag, "" for a=, nil when absent', async () => {
      expect(await run('return kong.request.get_query_arg("a"), kong.request.get_query_arg("flag"), kong.request.get_query_arg("empty"), kong.request.get_query_arg("nope")', makeExchange(spec)))
        .to.deep.equal(['1', true, '', null]);
    });
    it('get_query decodes, keeps repeats as arrays and malformed escapes as they are', async () => {
      expect(await get('kong.request.get_query()', spec)).to.deep.equal({ a: ['1', '2'], flag: true, empty: '', sp: 'a b c', pct: '%zz' });
    });
    it('get_query honours max_args', async () => {
      expect(await get('kong.request.get_query(2)', spec)).to.deep.equal({ a: ['1', '2'] });
    });
    it('checks its arguments', async () => {
      expect(await errorOf(run, 'kong.request.get_query_arg(1)')).to.equal('[string "request-callout"]:1: query argument name must be a string');
      expect(await errorOf(run, 'kong.request.get_query("x")')).to.equal('[string "request-callout"]:1: max_args must be a number');
      expect(await errorOf(run, 'kong.request.get_query(0)')).to.equal('[string "request-callout"]:1: max_args must be >= 1');
      expect(await errorOf(run, 'kong.request.get_query(1001)')).to.equal('[string "request-callout"]:1: max_args must be <= 1000');
    });
  });

  describe('headers', () => {
    const spec: ExchangeSpec = { headers: [['X-Api-Key', 'k'], ['X-M', '1'], ['x-m', '2'], ['Accept', 'a/b']] };
    it('get_header is case-insensitive, accepts _ for -, returns the first value or nil', async () => {
      expect(await run('return kong.request.get_header("x_api_key"), kong.request.get_header("X-API-KEY"), kong.request.get_header("x-m"), kong.request.get_header("nope")', makeExchange(spec)))
        .to.deep.equal(['k', 'k', '1', null]);
    });
    it('get_headers has lower-case keys, arrays for repeats and normalising lookups', async () => {
      expect(await get('kong.request.get_headers()', spec)).to.deep.equal({ 'x-api-key': 'k', 'x-m': ['1', '2'], accept: 'a/b' });
      expect(await run('local h = kong.request.get_headers() return h.x_api_key, h["X-Api-Key"], h["x-api-key"], h.X_M[2]', makeExchange(spec)))
        .to.deep.equal(['k', 'k', 'k', '2']);
    });
    it('get_headers(max) keeps the first max header lines', async () => {
      expect(await get('kong.request.get_headers(2)', spec)).to.deep.equal({ 'x-api-key': 'k', 'x-m': '1' });
    });
    it('checks its arguments', async () => {
      expect(await errorOf(run, 'kong.request.get_header(nil)')).to.equal('[string "request-callout"]:1: header name must be a string');
      expect(await errorOf(run, 'kong.request.get_headers("1")')).to.equal('[string "request-callout"]:1: max_headers must be a number');
      expect(await errorOf(run, 'kong.request.get_headers(0)')).to.equal('[string "request-callout"]:1: max_headers must be >= 1');
      expect(await errorOf(run, 'kong.request.get_headers(1001)')).to.equal('[string "request-callout"]:1: max_headers must be <= 1000');
    });
  });

  describe('forwarded values', () => {
    const spec: ExchangeSpec = { headers: [['X-Forwarded-Proto', 'HTTPS'], ['X-Forwarded-Host', 'Edge.Test:8443'], ['X-Forwarded-Path', '/fwd'], ['X-Forwarded-Prefix', '/p']] };
    const exprs = 'return kong.request.get_forwarded_scheme(), kong.request.get_forwarded_host(), kong.request.get_forwarded_port(), kong.request.get_forwarded_path(), kong.request.get_forwarded_prefix()';
    it('ignores X-Forwarded-* from an untrusted peer', async () => {
      expect(await run(exprs, makeExchange(spec))).to.deep.equal(['http', 'example.test', 8000, '/r', null]);
    });
    it('honours X-Forwarded-* from a trusted peer', async () => {
      expect(await trustedRun(exprs, makeExchange(spec))).to.deep.equal(['https', 'edge.test', 8443, '/fwd', '/p']);
    });
  });

  describe('body', () => {
    it('get_raw_body returns the bytes ("" when empty), reading an unread body first', async () => {
      expect(await get('kong.request.get_raw_body()', { body: 'abc' })).to.equal('abc');
      expect(await get('kong.request.get_raw_body()')).to.equal('');
      expect(await get('kong.request.get_raw_body()', { body: 'late', bodyBuffered: false })).to.equal('late');
    });
    it('get_raw_body is binary-safe', async () => {
      const body = new Uint8Array([0, 255, 80, 78, 71, 10]);
      expect(await run('local b = kong.request.get_raw_body() return #b, b:byte(1), b:byte(2), b:sub(3, 5)', makeExchange({ body })))
        .to.deep.equal([6, 0, 255, 'PNG']);
    });
    it('get_body decodes JSON (lazily) and returns the mime type', async () => {
      const spec: ExchangeSpec = { headers: [['Content-Type', 'application/json; charset=utf-8']], body: '{"a":{"b":[1,2,{"c":null}]},"s":"x"}' };
      expect(await run('local t, err, mime = kong.request.get_body() return t.a.b[2], #t.a.b, t.s, err, mime, t.a.b[3].c == nil', makeExchange(spec)))
        .to.deep.equal([2, 3, 'x', null, 'application/json', false]);
    });
    it('get_body decodes forms and multipart', async () => {
      expect(await get('kong.request.get_body()', { headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'a=1&a=2&b=x+y' }))
        .to.deep.equal({ a: ['1', '2'], b: 'x y' });
      const body = '--XX\r\nContent-Disposition: form-data; name="f"\r\n\r\nv1\r\n--XX\r\nContent-Disposition: form-data; name="g"\r\n\r\nline\r\n--XX--\r\n';
      expect(await get('kong.request.get_body()', { headers: [['Content-Type', 'multipart/form-data; boundary=XX']], body })).to.deep.equal({ f: 'v1', g: 'line' });
    });
    it('get_body uses the mimetype argument over Content-Type', async () => {
      expect(await get('kong.request.get_body("application/json")', { headers: [['Content-Type', 'text/plain']], body: '[1]' })).to.deep.equal([1]);
    });
    it('get_body reports missing, unsupported and invalid bodies as nil, err', async () => {
      expect(await run('return kong.request.get_body()', makeExchange({ body: 'x' }))).to.deep.equal([null, 'missing content type']);
      expect(await run('return kong.request.get_body()', makeExchange({ body: 'x', headers: [['Content-Type', 'text/plain']] })))
        .to.deep.equal([null, "unsupported content type 'text/plain'"]);
      expect(await run('return kong.request.get_body()', makeExchange({ body: '"str"', headers: [['Content-Type', 'application/json']] })))
        .to.deep.equal([null, 'invalid json body']);
      expect(await run('return kong.request.get_body()', makeExchange({ body: '{bad', headers: [['Content-Type', 'application/json']] })))
        .to.deep.equal([null, 'invalid json body']);
    });
  });

  it('get_uri_captures returns unnamed (from 0) and named captures', async () => {
    expect(await run('local c = kong.request.get_uri_captures() return c.unnamed[0], c.unnamed[1], c.named.uid', makeExchange({ captures: { unnamed: ['/u/42', '42'], named: { uid: '42' } } })))
      .to.deep.equal(['/u/42', '42', '42']);
    expect(await run('local c = kong.request.get_uri_captures() return next(c.unnamed), next(c.named)', makeExchange())).to.deep.equal([null, null]);
  });
});
