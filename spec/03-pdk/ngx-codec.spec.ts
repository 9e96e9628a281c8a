// ngx.escape_uri/unescape_uri/encode_args/decode_args, base64, md5/sha1/hmac/crc32. Expected values
// are OpenResty's documented examples or standard test vectors (RFC 4648, RFC 2202/Wikipedia HMAC,
// zlib CRC-32); binary inputs and outputs must survive byte for byte.
import { expect } from 'chai';
import { HEX, ngxHarness } from './ngx-harness';

describe('ngx codecs (real VM)', () => {
  const h = ngxHarness();

  describe('ngx.escape_uri / ngx.unescape_uri', () => {
    it('escapes everything but A-Za-z0-9-._~ with upper-case hex (component escaping)', async () => {
      expect(await h.values('return ngx.escape_uri("a 你")')).to.deep.equal(['a%20%E4%BD%A0']);
      expect(await h.values('return ngx.escape_uri("AZaz09-._~!*\'();:@&=+$,/?#[]%")')).to.deep.equal([
        'AZaz09-._~%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D%25',
      ]);
    });

    it('type 0 escapes only what a URI cannot carry', async () => {
      expect(await h.values('return ngx.escape_uri("/a b?c#d%e/f", 0)')).to.deep.equal(['/a%20b%3Fc%23d%25e/f']);
    });

    it('treats nil as "" and other values with tostring, and checks the type argument', async () => {
      expect(await h.values('return ngx.escape_uri(nil), ngx.escape_uri(12.5), ngx.unescape_uri(nil)')).to.deep.equal(['', '12.5', '']);
      expect(await h.error('return ngx.escape_uri("x", "2")')).to.include('"type" is not a number');
      expect(await h.error('return ngx.escape_uri("x", 7)')).to.include('"type" 7 out of range');
    });

    it('unescapes %XX in either case, turns + into a space and keeps malformed escapes', async () => {
      expect(await h.values('return ngx.unescape_uri("b%20r56+7"), ngx.unescape_uri("a%20%e4%bd%a0")')).to.deep.equal(['b r56 7', 'a 你']);
      expect(await h.values('return ngx.unescape_uri("try %search%%20%again%")')).to.deep.equal(['try %search% %again%']);
      expect(await h.values('return ngx.unescape_uri("%4"), ngx.unescape_uri("%zz%")')).to.deep.equal(['%4', '%zz%']);
    });

    it('is binary safe both ways', async () => {
      const [escaped, roundTrip] = await h.values(`${HEX}
        local s = "\\0\\255\\128abc"
        return ngx.escape_uri(s), hex(ngx.unescape_uri(ngx.escape_uri(s)))`);
      expect(escaped).to.equal('%00%FF%80abc');
      expect(roundTrip).to.equal('00ff80616263');
    });
  });

  describe('ngx.encode_args', () => {
    it('encodes the documented examples (order-independent)', async () => {
      const [a, b, c] = await h.values(`
        return ngx.encode_args({foo = 3, ["b r"] = "hello world"}),
               ngx.encode_args({baz = {32, "hello"}}),
               ngx.encode_args({a = true, b = 1, c = false})`);
      expect((a as string).split('&').sort()).to.deep.equal(['b%20r=hello%20world', 'foo=3']);
      expect(b).to.equal('baz=32&baz=hello');
      expect((c as string).split('&').sort()).to.deep.equal(['a', 'b=1']);
    });

    it('omits false values and empty arrays, and formats numbers as LuaJIT does', async () => {
      expect(await h.values('return ngx.encode_args({a = false, b = {}})')).to.deep.equal(['']);
      expect(await h.values('return ngx.encode_args({n = 0.1, m = 1e20})').then(([s]) => (s as string).split('&').sort()))
        .to.deep.equal(['m=1e%2B20', 'n=0.1']);
      expect(await h.values('return ngx.encode_args({k = {true, false, "x"}})')).to.deep.equal(['k&k=x']);
    });

    it('rejects non-string keys and unsupported values', async () => {
      expect(await h.error('return ngx.encode_args({[1] = "a"})')).to.include("bad argument #1 to 'encode_args' (attempt to use number as query arg name)");
      expect(await h.error('return ngx.encode_args({a = print})')).to.include('attempt to use function as query arg value');
      expect(await h.error('return ngx.encode_args({a = {{}}})')).to.include('attempt to use table as query arg value');
      expect(await h.error('return ngx.encode_args("a=1")')).to.include("bad argument #1 to 'encode_args' (table expected, got string)");
    });

    it('keeps binary values intact', async () => {
      expect(await h.values('return ngx.encode_args({k = "\\0\\255"})')).to.deep.equal(['k=%00%FF']);
    });
  });

  describe('ngx.decode_args', () => {
    it('decodes values, bare keys, repeats and escaped keys as ngx.req.get_uri_args does', async () => {
      expect(await h.values('return ngx.decode_args("a=3&b=4&c")')).to.deep.equal([{ a: '3', b: '4', c: true }]);
      expect(await h.values('return ngx.decode_args("foo&baz=&bar=42")')).to.deep.equal([{ foo: true, baz: '', bar: '42' }]);
      expect(await h.values('return ngx.decode_args("%3d&b%20r=4%61+2")')).to.deep.equal([{ '=': true, 'b r': '4a 2' }]);
      expect(await h.values('return ngx.decode_args("a=1&a=2&&a")')).to.deep.equal([{ a: ['1', '2', true] }]);
    });

    it('drops empty keys and honours max_args (default 100, 0 = unlimited)', async () => {
      expect(await h.values('return next(ngx.decode_args("=hello&=world"))')).to.deep.equal([null]);
      const [count100, count2, countAll] = await h.values(`
        local parts = {}
        for i = 1, 150 do parts[i] = "k" .. i .. "=v" end
        local s = table.concat(parts, "&")
        local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end
        return count(ngx.decode_args(s)), count(ngx.decode_args(s, 2)), count(ngx.decode_args(s, 0))`);
      expect([count100, count2, countAll]).to.deep.equal([100, 2, 150]);
    });

    it('requires a string', async () => {
      expect(await h.error('return ngx.decode_args(nil)')).to.include("bad argument #1 to 'decode_args' (string expected, got nil)");
    });
  });

  describe('base64', () => {
    it('encodes RFC 4648 vectors, with and without padding', async () => {
      expect(await h.values('return ngx.encode_base64(""), ngx.encode_base64("f"), ngx.encode_base64("fo"), ngx.encode_base64("foo"), ngx.encode_base64("foobar")'))
        .to.deep.equal(['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYmFy']);
      expect(await h.values('return ngx.encode_base64("f", true), ngx.encode_base64("fo", true), ngx.encode_base64("foo", true)'))
        .to.deep.equal(['Zg', 'Zm8', 'Zm9v']);
      expect(await h.values('return ngx.encode_base64(nil), ngx.encode_base64(123)')).to.deep.equal(['', 'MTIz']);
    });

    it('checks no_padding is a boolean', async () => {
      expect(await h.error('return ngx.encode_base64("x", 1)')).to.include('bad no_padding: boolean expected, got number');
      expect(await h.values('return ngx.encode_base64("f", false)')).to.deep.equal(['Zg==']);
    });

    it('decodes like nginx: optional padding, nil for bad characters or 4n+1 lengths, ignores text after "="', async () => {
      expect(await h.values('return ngx.decode_base64("Zm9vYmFy"), ngx.decode_base64("Zg"), ngx.decode_base64("Zg=="), ngx.decode_base64("")'))
        .to.deep.equal(['foobar', 'f', 'f', '']);
      expect(await h.values('return ngx.decode_base64("Z"), ngx.decode_base64("Zm9v!"), ngx.decode_base64("Zm9v\\n"), ngx.decode_base64("Zm-v")'))
        .to.deep.equal([null, null, null, null]);
      expect(await h.values('return ngx.decode_base64("Zm9v=anything")')).to.deep.equal(['foo']);
      expect(await h.error('return ngx.decode_base64(nil)')).to.include('string argument only');
    });

    it('round-trips every byte value', async () => {
      expect(await h.values(`
        local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end
        local s = table.concat(t)
        local back = ngx.decode_base64(ngx.encode_base64(s))
        return #back, back == s`)).to.deep.equal([256, true]);
    });
  });

  describe('digests', () => {
    it('md5 / md5_bin / sha1_bin of "hello" match the standard digests', async () => {
      expect(await h.values(`${HEX}return ngx.md5("hello"), hex(ngx.md5_bin("hello")), #ngx.md5_bin("hello"), hex(ngx.sha1_bin("hello"))`))
        .to.deep.equal(['5d41402abc4b2a76b9719d911017c592', '5d41402abc4b2a76b9719d911017c592', 16, 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d']);
      expect(await h.values('return ngx.md5(nil), ngx.md5("")')).to.deep.equal(['d41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e']);
    });

    it('hmac_sha1 returns the raw 20-byte MAC and needs two strings', async () => {
      expect(await h.values(`${HEX}return hex(ngx.hmac_sha1("key", "The quick brown fox jumps over the lazy dog"))`))
        .to.deep.equal(['de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9']);
      expect(await h.values(`${HEX}return hex(ngx.hmac_sha1(string.rep("\\170", 20), string.rep("\\221", 50)))`))
        .to.deep.equal(['125d7342b9ac11cd91a39af48aa17b4f63f175d3']);
      expect(await h.error('return ngx.hmac_sha1("key")')).to.include("bad argument #2 to 'hmac_sha1' (string expected, got no value)");
    });

    it('digests binary input byte for byte', async () => {
      expect(await h.values('return ngx.md5("\\0\\255"), ngx.md5("\\0\\254")').then(([a, b]) => a !== b)).to.equal(true);
      expect(await h.values('return ngx.md5("\\0")')).to.deep.equal(['93b885adfe0da089cdf634904fd59f71']);
    });

    it('crc32_short and crc32_long are the IEEE CRC-32', async () => {
      expect(await h.values('return ngx.crc32_short("hello"), ngx.crc32_long("The quick brown fox jumps over the lazy dog"), ngx.crc32_short("")'))
        .to.deep.equal([907060870, 1095738169, 0]);
    });
  });
});
