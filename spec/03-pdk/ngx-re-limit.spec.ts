// ngx.re's match limit: a pattern that could backtrack for long on its subject runs on a worker
// thread and is stopped at the Lua time budget, answering PCRE's match-limit error instead of
// blocking the gateway for good; the results of isolated matches equal those found in place.
import { expect } from 'chai';
import { ngxHarness } from './ngx-harness';
import { needsIsolation, profileBacktracking, setIsolation } from '../../src/pdk/ngx/regex/backtrack-bound';
import { translatePcre } from '../../src/pdk/ngx/regex/translate';

const LIMIT = 'pcre_exec() failed: -47';
const plain = { caseless: false, multiline: false, dotall: false, extended: false, ungreedy: false, utf8: false, dupnames: false };

function isolated(pattern: string, length: number): boolean {
  return needsIsolation(profileBacktracking(translatePcre(pattern, plain).source, false), length);
}

describe('ngx.re match limit', () => {
  const h = ngxHarness();
  // Exponential in the subject: about 2^30 steps, seconds in place, far beyond any budget.
  const catastrophic = 'local s = string.rep("a", 30) .. "b"';
  // (a|aa)+ grows as 1.6^n: 60 characters for the same effect.
  const alternating = 'local s = string.rep("a", 60) .. "b"';

  afterEach(() => setIsolation('bound'));

  it('stops a catastrophic match and answers each function as lua-resty-core does at the match limit', async () => {
    expect(await h.values(`${catastrophic} return ngx.re.match(s, "^(a+)+$")`)).to.deep.equal([null, LIMIT]);
    expect(await h.values(`${alternating} return ngx.re.find(s, "(a|aa)+$")`)).to.deep.equal([null, null, LIMIT]);
    expect(await h.values(`${alternating} return ngx.re.gsub(s, "(a|aa)+$", "x")`)).to.deep.equal([null, null, LIMIT]);
    expect(await h.values(`${alternating} return ngx.re.sub(s, "(a|aa)+$", "x")`)).to.deep.equal([null, null, LIMIT]);
    expect(await h.values(`${catastrophic} local it = ngx.re.gmatch(s, "(a+)+$") local m, err = it() return m, err, it()`))
      .to.deep.equal([null, LIMIT, null]);
  });

  it('keeps matching after a stopped match, isolated and in place', async () => {
    expect(await h.values(`${catastrophic} return ngx.re.match(s, "^(a+)+$")`)).to.deep.equal([null, LIMIT]);
    expect(await h.values(`${catastrophic} local m = ngx.re.match(s, "^(a+)+b$") return m[0] == s, m[1] == string.rep("a", 30)`))
      .to.deep.equal([true, true]);
    expect(await h.values('local m = ngx.re.match("Bearer abc.def", "^Bearer\\\\s+(.+)$") return m[1]')).to.deep.equal(['abc.def']);
  });

  it('never waits past the call\'s budget: a loop of stopped matches ends as any over-budget call', async () => {
    const message = await h.error(`${catastrophic} for i = 1, 50 do ngx.re.match(s, "^(a+)+$") end return 1`);
    expect(message).to.match(/execution time budget of \d+ ms exceeded/);
  });

  describe('isolated and in-place matches agree', () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['"hello, 1234 and 56, x7"', '([a-z]+)[ ,]*(\\\\d*)', ''],
      ['"aXbXXc"', 'X*', ''],
      ['"día 𝄞 niño 𝄞𝄞 fin"', '(?<w>\\\\w+)|(𝄞+)', 'u'],
      ['"día 𝄞 niño"', '', 'u'],
      ['"\\0\\255\\1 binary \\255\\255"', '\\\\xff+', ''],
      ['"k1=v1; k2=v2;k3="', '(?<k>\\\\w+)=(?<v>\\\\w*)', ''],
      ['"ABC abc Abc"', 'a(b)(c)', 'i'],
    ];
    const program = (subject: string, pattern: string, opts: string): string => `
      local s, p, o = ${subject}, "${pattern}", "${opts}"
      local out = {}
      local function dump(m)
        if not m then return "nil" end
        local parts = {}
        for i = 0, 3 do parts[#parts + 1] = tostring(m[i]) end
        parts[#parts + 1] = tostring(m.w or m.k or m.v)
        return table.concat(parts, "|")
      end
      out[#out + 1] = dump(ngx.re.match(s, p, o))
      local ctx = { pos = 3 }
      out[#out + 1] = dump(ngx.re.match(s, p, o, ctx)) .. "@" .. tostring(ctx.pos)
      out[#out + 1] = table.concat({ tostring(ngx.re.find(s, p, o)) }, ",")
      local from, to = ngx.re.find(s, p, o, nil, 1)
      out[#out + 1] = tostring(from) .. "-" .. tostring(to)
      for m in ngx.re.gmatch(s, p, o) do out[#out + 1] = dump(m) end
      out[#out + 1] = table.concat({ ngx.re.gsub(s, p, "<$0>", o) }, "#")
      out[#out + 1] = table.concat({ ngx.re.gsub(s, p, function(m) return "[" .. m[0] .. "]" end, o) }, "#")
      out[#out + 1] = table.concat({ ngx.re.sub(s, p, "{$0}", o) }, "#")
      return table.concat(out, "\\n")`;

    for (const [subject, pattern, opts] of cases) {
      it(`${pattern} on ${subject}${opts ? ` (${opts})` : ''}`, async () => {
        setIsolation('never');
        const inPlace = await h.values(program(subject, pattern, opts));
        setIsolation('always');
        const isolated = await h.values(program(subject, pattern, opts));
        expect(isolated).to.deep.equal(inPlace);
        expect(String(inPlace[0]).split('\n').length).to.be.greaterThan(5);
      });
    }
  });

  describe('backtracking bound', () => {
    it('keeps common patterns on ordinary subjects in place', () => {
      expect(isolated('^Bearer\\s+(.+)$', 1000)).to.equal(false);
      expect(isolated('(\\d+)\\.(\\d+)', 400)).to.equal(false);
      expect(isolated('^Bearer\\s+(.+)$', 5000)).to.equal(false);
      expect(isolated('tok=[0-9a-f]{32}', 100_000)).to.equal(false);   // bounded repeat: 33 paths per position
      expect(isolated('literal|other', 10_000_000)).to.equal(false);   // no repeat: linear
      expect(isolated('^(a+)+$', 20)).to.equal(false);                  // exponential, but short
    });

    it('isolates repeated groups with inner choices, back references and deep polynomial searches', () => {
      expect(isolated('^(a+)+$', 21)).to.equal(true);
      expect(isolated('(a|aa)*b', 40)).to.equal(true);
      expect(isolated('(?:x?){30}', 40)).to.equal(true);
      expect(isolated('(\\w+)\\s\\1', 40)).to.equal(true);
      expect(isolated('a*a*a*b', 5000)).to.equal(true);
      expect(isolated('^Bearer\\s+(.+)$', 100_000)).to.equal(true);
    });

    it('reads escapes, classes and lazy quantifiers as the atoms they are', () => {
      expect(profileBacktracking(translatePcre('\\(a\\)\\*[(+*]', plain).source, false))
        .to.deep.equal({ repeats: [], fixedBits: 0, exponential: false, anchored: false });
      expect(profileBacktracking(translatePcre('^a+?(b{2,5})c?', plain).source, false))
        .to.deep.equal({ repeats: [Infinity, 5], fixedBits: 1, exponential: false, anchored: true });
      expect(profileBacktracking(translatePcre('x(?:ab|cd)+', plain).source, true))
        .to.deep.equal({ repeats: [Infinity], fixedBits: 1, exponential: true, anchored: true });
    });
  });
});
