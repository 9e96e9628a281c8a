// ngx.re.*: results of lua-nginx-module's documented examples, PCRE syntax that JS spells
// differently, options, argument errors and binary subjects. Real VM.
import { expect } from 'chai';
import { HEX, ngxHarness } from './ngx-harness';
import { translatePcre } from '../../src/pdk/ngx/regex/translate';

const plain = { caseless: false, multiline: false, dotall: false, extended: false, ungreedy: false, utf8: false, dupnames: false };

describe('ngx.re (real VM)', () => {
  const h = ngxHarness();

  describe('match', () => {
    it('returns the captures table of the documented examples', async () => {
      expect(await h.values('local m = ngx.re.match("hello, 1234", "[0-9]+") return m[0], m[1]')).to.deep.equal(['1234', null]);
      expect(await h.values('local m = ngx.re.match("hello, 1234", "([0-9])[0-9]+") return m[0], m[1]')).to.deep.equal(['1234', '1']);
      expect(await h.values('local m = ngx.re.match("hello, 1234", "([0-9])(?<remaining>[0-9]+)") return m[0], m[1], m[2], m.remaining'))
        .to.deep.equal(['1234', '1', '234', '234']);
    });

    it('sets unmatched captures, numbered and named, to false', async () => {
      expect(await h.values('local m = ngx.re.match("hello, world", "(world)|(hello)|(?<named>howdy)") return m[0], m[1], m[2], m[3], m.named'))
        .to.deep.equal(['hello', false, 'hello', false, false]);
    });

    it('returns a single nil when nothing matches, and nil plus a message for a bad regex', async () => {
      expect(await h.values('return select("#", ngx.re.match("abc", "x")), ngx.re.match("abc", "x")')).to.deep.equal([1, null]);
      const [m, err] = await h.values('return ngx.re.match("abc", "(abc")');
      expect(m).to.equal(null);
      expect(err).to.match(/^pcre2_compile\(\) failed: .*missing closing parenthesis in "\(abc"$/);
      expect((await h.values('return ngx.re.match("abc", "a{2,1}")'))[1]).to.match(/^pcre2_compile\(\) failed: /);
    });

    it('honours ctx.pos and advances it past the match', async () => {
      expect(await h.values('local ctx = {} local m = ngx.re.match("1234, hello", "[0-9]+", "", ctx) return m[0], ctx.pos'))
        .to.deep.equal(['1234', 5]);
      expect(await h.values('local ctx = {pos = 2} local m = ngx.re.match("1234, hello", "[0-9]+", "", ctx) return m[0], ctx.pos'))
        .to.deep.equal(['234', 5]);
      expect(await h.values('local ctx = {pos = 5} return ngx.re.match("1234, hello", "[0-9]+", "", ctx), ctx.pos'))
        .to.deep.equal([null, 5]);
    });

    it('fills the res table the caller passes', async () => {
      expect(await h.values('local res = {} local m = ngx.re.match("ab", "(a)(b)", "", nil, res) return m == res, res[1], res[2]'))
        .to.deep.equal([true, 'a', 'b']);
    });

    it('tostrings the subject and raises on unknown option letters', async () => {
      expect(await h.values('return ngx.re.match(12345, "3(4)")[1], ngx.re.match(nil, "^nil$")[0]')).to.deep.equal(['4', 'nil']);
      expect(await h.error('return ngx.re.match("a", "a", "jz")')).to.include('unknown flag "z" (flags "jz")');
      expect(await h.error('return ngx.re.match("a", nil)')).to.include("bad argument #2 to 'match' (string expected, got nil)");
    });
  });

  describe('options', () => {
    it('i, (?i) at the start and scoped (?i:...) are caseless', async () => {
      expect(await h.values('return ngx.re.match("HeLLo", "hello", "i")[0], ngx.re.match("HeLLo", "(?i)hello")[0], ngx.re.match("HeLLo", "H(?i:ELL)o")[0]'))
        .to.deep.equal(['HeLLo', 'HeLLo', 'HeLLo']);
      expect(await h.values('return ngx.re.match("HELLO", "H(?i:ELL)o"), ngx.re.match("xABC", "a(?-i)bC", "i")'))
        .to.deep.equal([null, null]);
      expect(await h.values('return ngx.re.match("xabC", "a(?-i)bC", "i")[0], ngx.re.match("X", "x(?i)")')).to.deep.equal(['abC', null]);
    });

    it('x ignores whitespace and # comments; s lets . match newlines; m makes ^ and $ per line', async () => {
      expect(await h.values('return ngx.re.match("abc123", [[ [a-z]+  # letters\n (\\d+) # digits ]], "x")[1]')).to.deep.equal(['123']);
      expect(await h.values('return ngx.re.match("a\\nb", "a.b"), ngx.re.match("a\\nb", "a.b", "s")[0]')).to.deep.equal([null, 'a\nb']);
      expect(await h.values('return ngx.re.match("one\\ntwo", "^two$"), ngx.re.match("one\\ntwo", "^two$", "m")[0]')).to.deep.equal([null, 'two']);
    });

    it('a anchors the match at the start position; j, o, J, D are accepted', async () => {
      expect(await h.values('return ngx.re.match("xab", "ab", "a"), ngx.re.match("abx", "ab", "ajoJ")[0]')).to.deep.equal([null, 'ab']);
      expect(await h.values('local m = ngx.re.match("ab", "(?<n>a)|(?<n>b)", "D") return m.n[1], #m.n')).to.deep.equal(['a', 1]);
      expect((await h.values('return ngx.re.match("ab", "(?<n>a)(?<n>b)")'))[1]).to.include('same name');
    });

    it('u matches UTF-8 characters and reports byte offsets', async () => {
      expect(await h.values('return ngx.re.match("héllo", "^h.llo$"), ngx.re.match("héllo", "^h.llo$", "u")[0]')).to.deep.equal([null, 'héllo']);
      expect(await h.values('return ngx.re.find("日本語テキスト", "語", "u")')).to.deep.equal([7, 9]);
      expect((await h.values('return ngx.re.match("\\255", ".", "u")'))[1]).to.include('UTF-8');
    });

    it('d (DFA) returns only the whole match', async () => {
      expect(await h.values('local m = ngx.re.match("abc", "(a)(b)", "d") return m[0], m[1]')).to.deep.equal(['ab', null]);
    });
  });

  describe('PCRE syntax that differs from JS', () => {
    it('$ matches before a final newline, \\z and \\A do not move', async () => {
      expect(await h.values('return ngx.re.match("abc\\n", "c$")[0], ngx.re.match("abc\\n", "c\\\\z"), ngx.re.match("abc\\n", "c\\\\Z")[0], ngx.re.match("xabc", "\\\\Aabc")'))
        .to.deep.equal(['c', null, 'c', null]);
    });

    it('. matches \\r, \\s does not match the 0xA0 byte, \\h does', async () => {
      expect(await h.values('return ngx.re.match("a\\rb", "a.b")[0], ngx.re.match("a\\160b", "a\\\\sb"), ngx.re.match("a\\160b", "a\\\\hb") ~= nil'))
        .to.deep.equal(['a\rb', null, true]);
      expect(await h.values('return ngx.re.match("a\\11b", "a\\\\sb") ~= nil, ngx.re.match("a\\11b", "a\\\\vb") ~= nil')).to.deep.equal([true, true]);
    });

    it('handles []...] classes, POSIX classes, \\Q...\\E, possessive and atomic groups', async () => {
      expect(await h.values('return ngx.re.match("a]b", "[]a]+")[0], ngx.re.match("x-1_y", "[[:alpha:]]+")[0], ngx.re.match("ab12", "[[:^alpha:]]+")[0]'))
        .to.deep.equal(['a]', 'x', '12']);
      expect(await h.values('return ngx.re.match("a.b*c", [[\\Q.b*\\E]])[0], ngx.re.match("aaa", "a++a"), ngx.re.match("aaab", "(?>a+)b")[0]'))
        .to.deep.equal(['.b*', null, 'aaab']);
      expect(await h.values('local m = ngx.re.match("xaay", "(x)(?>(a+))(y)") return m[1], m[2], m[3]')).to.deep.equal(['x', 'aa', 'y']);
      expect(await h.values('local m = ngx.re.match("abab", [[(?P<p>ab)(?P=p)]]) return m[0], m.p')).to.deep.equal(['abab', 'ab']);
      expect(await h.values('return ngx.re.match("aXa", [[(a)X\\g{-1}]])[0], ngx.re.match("a{b", "a{b")[0], ngx.re.match("ab", "(*FAIL)|b")[0]'))
        .to.deep.equal(['aXa', 'a{b', 'b']);
    });

    it('reports PCRE features it does not translate as compile errors', async () => {
      for (const pattern of ['(?R)', '(?(1)a|b)', 'a\\\\Kb', '(?|a|b)']) {
        const [m, err] = await h.values(`return ngx.re.match("ab", "${pattern}")`);
        expect(m, pattern).to.equal(null);
        expect(err, pattern).to.match(/^pcre2_compile\(\) failed: .*not supported by luagate/);
      }
    });

    it('numbers captures so that synthetic groups never shift them', () => {
      const t = translatePcre('(a)(?>(b))c++(d)', plain);
      expect(t.captureCount).to.equal(3);
      const re = new RegExp(t.source);
      const m = re.exec('abccd')!;
      expect([m[t.jsGroupOf[1]], m[t.jsGroupOf[2]], m[t.jsGroupOf[3]]]).to.deep.equal(['a', 'b', 'd']);
    });
  });

  describe('find', () => {
    it('returns 1-based inclusive byte positions, of the nth capture when asked', async () => {
      expect(await h.values('return ngx.re.find("hello, 1234", "([0-9])([0-9]+)", "jo")')).to.deep.equal([8, 11]);
      expect(await h.values('return ngx.re.find("hello, 1234", "([0-9])([0-9]+)", "jo", nil, 2)')).to.deep.equal([9, 11]);
      expect(await h.values('return ngx.re.find("hello", "(x)?h", "", nil, 1)')).to.deep.equal([null, null]);
      expect(await h.values('return ngx.re.find("hello", "(h)", "", nil, 3)')).to.deep.equal([null, null, 'nth out of bound']);
      expect(await h.values('return ngx.re.find("hello", "z")')).to.deep.equal([null]);
    });

    it('returns nil, nil, err for a bad regex and finds empty matches', async () => {
      const [a, b, err] = await h.values('return ngx.re.find("x", "[")');
      expect([a, b]).to.deep.equal([null, null]);
      expect(err).to.include('missing terminating ] for character class');
      expect(await h.values('return ngx.re.find("abc", "x*")')).to.deep.equal([1, 0]);
    });
  });

  describe('gmatch', () => {
    it('iterates over matches with captures', async () => {
      expect(await h.values(`
        local out = {}
        for m in ngx.re.gmatch("hello, world", "([a-z]+)", "i") do out[#out + 1] = m[0] .. "/" .. m[1] end
        return table.concat(out, " ")`)).to.deep.equal(['hello/hello world/world']);
    });

    it('steps over empty matches and ends with nil', async () => {
      expect(await h.values(`
        local out = {}
        local it = ngx.re.gmatch("ab", "x*")
        for i = 1, 5 do local m = it() out[i] = m and ("[" .. m[0] .. "]") or "nil" end
        return table.concat(out, ",")`)).to.deep.equal(['[],[],[],nil,nil']);
      expect(await h.values('return ngx.re.gmatch("a", "(")')).to.have.length(2);
    });
  });

  describe('sub / gsub', () => {
    it('expands $0, $N, ${N} and $$ in templates', async () => {
      expect(await h.values('return ngx.re.sub("hello, 1234", "([0-9])[0-9]", "[$0][$1]")')).to.deep.equal(['hello, [12][1]34', 1]);
      expect(await h.values('return ngx.re.sub("hello, 1234", "[0-9]", "${0}00")')).to.deep.equal(['hello, 100234', 1]);
      expect(await h.values('return ngx.re.sub("hello, 1234", "[0-9]", "$$")')).to.deep.equal(['hello, $234', 1]);
      expect(await h.values('return ngx.re.gsub("hello, world", "([a-z])[a-z]+", "[$0,$1]", "i")')).to.deep.equal(['[hello,h], [world,w]', 2]);
      expect(await h.values('return ngx.re.sub("abc", "(b)", "<$9>")')).to.deep.equal(['a<>c', 1]);
    });

    it('fails to compile templates with a dangling $ or a named reference (as lua-nginx-module)', async () => {
      expect(await h.values('return ngx.re.sub("hello", "l", "$")')).to.deep.equal([null, null, 'failed to compile the replacement template']);
      expect(await h.values('return ngx.re.sub("hello", "(?<x>l)", "${x}")')).to.deep.equal([null, null, 'failed to compile the replacement template']);
    });

    it('calls a function replacement with the captures table and tostrings its result', async () => {
      expect(await h.values(`
        return ngx.re.gsub("hello, world", "([a-z])[a-z]+", function(m) return "[" .. m[0] .. "," .. m[1] .. "]" end, "i")`))
        .to.deep.equal(['[hello,h], [world,w]', 2]);
      expect(await h.values('return ngx.re.gsub("a1b2", "[0-9]", function(m) return tonumber(m[0]) * 10 end)')).to.deep.equal(['a10b20', 2]);
    });

    it('returns the subject and 0 without a match, nil, nil, err for a bad regex', async () => {
      expect(await h.values('return ngx.re.gsub("abc", "x", "y")')).to.deep.equal(['abc', 0]);
      const out = await h.values('return ngx.re.gsub("abc", "(", "y")');
      expect(out.slice(0, 2)).to.deep.equal([null, null]);
      expect(out[2]).to.match(/^pcre2_compile\(\) failed/);
    });

    it('handles empty matches like OpenResty', async () => {
      expect(await h.values('return ngx.re.gsub("abc", "x*", "-")')).to.deep.equal(['-a-b-c-', 4]);
      expect(await h.values('return ngx.re.gsub("abc", "", "-", "u")')).to.deep.equal(['-a-b-c-', 4]);
    });

    it('keeps binary bytes of subject and replacement', async () => {
      expect(await h.values(`${HEX}
        local out, n = ngx.re.gsub("\\0\\255\\128\\0", "\\\\x00", "\\254")
        return hex(out), n`)).to.deep.equal(['feff80fe', 2]);
      expect(await h.values(`${HEX}local m = ngx.re.match("\\1\\2\\255\\3", "\\\\x02(.)") return hex(m[1])`)).to.deep.equal(['ff']);
    });
  });

  it('ngx.re cannot be modified by snippets', async () => {
    expect(await h.error('ngx.re.match = nil')).to.include('Cannot modify ngx.re.match. Protected by the sandbox.');
  });
});
