// CPU and memory budgets, and the fengari patches (patches/fengari+0.1.5.patch). Each patch has a
// test here that fails without it.
import { expect } from 'chai';
import { LuaHarness } from '../helpers/lua';
import { lua } from '../../src/lua/fengari';
import { LuaRuntimeError, LuaTimeoutError } from '../../src/lua/errors';

async function failure(h: LuaHarness, source: string): Promise<Error> {
  try {
    await h.run(source, 'budget');
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('01-lua budgets', () => {
  const h = new LuaHarness({ mode: 'sandbox', timeBudgetMs: 100, maxStringBytes: 1024 * 1024, maxPatternSteps: 200_000 });

  it('stops `while true do end`', async () => {
    expect(await failure(h, 'while true do end')).to.be.instanceOf(LuaTimeoutError);
  });

  it('stops a loop that pcalls an endless function (a yield cannot be caught)', async () => {
    expect(await failure(h, 'for i = 1, 1e9 do pcall(function() while true do end end) end')).to.be.instanceOf(LuaTimeoutError);
  });

  it('stops an endless loop inside a snippet coroutine', async () => {
    expect(await failure(h, 'local co = coroutine.wrap(function() while true do end end); while true do co() end'))
      .to.be.instanceOf(LuaTimeoutError);
  });

  it('stops an endless loop inside a sort comparator wrapped in pcall', async () => {
    expect(await failure(h, 'while true do pcall(table.sort, {3, 2, 1}, function(a, b) while true do end end) end'))
      .to.be.instanceOf(LuaTimeoutError);
  });

  it('(patch: allowhook) stops a loop after a caught error inside a coroutine', async () => {
    expect(await failure(h, 'coroutine.wrap(function() pcall(error, "x") while true do end end)()')).to.be.instanceOf(LuaTimeoutError);
  });

  it('(patch: string growth cap) ends a doubling concat loop with a Lua error', async () => {
    const err = await failure(h, 'local s = "x" for i = 1, 40 do s = s .. s end');
    expect(err).to.be.instanceOf(LuaRuntimeError);
    expect(err.message).to.contain('string length overflow');
  });

  it('(patch: string growth cap) caps buffers: string.rep, table.concat, gsub', async () => {
    const roomy = new LuaHarness({ mode: 'sandbox', timeBudgetMs: 5000, maxStringBytes: 1024 * 1024 });
    for (const src of [
      'return string.rep("x", 1e8)',
      'local t = {} for i = 1, 30 do t[i] = string.rep("y", 100000) end return table.concat(t)',
      'return (string.rep("z", 1000000):gsub("z", "zz"))',
    ]) {
      const err = await failure(roomy, src);
      expect(err, src).to.be.instanceOf(LuaRuntimeError);
      expect(err.message, src).to.contain('string length overflow');
    }
  });

  it('(patch: buffer growth) buffers start at 64 bytes, grow by doubling up to the cap and never past it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const aux = require('fengari/src/lauxlib.js') as {
      luaL_Buffer: new () => { b: Uint8Array };
      luaL_buffinit(L: unknown, B: object): void;
      luaL_addchar(B: object, c: number): void;
    };
    const B = new aux.luaL_Buffer();
    aux.luaL_buffinit(h.engine.L, B);
    aux.luaL_addchar(B, 65);
    expect(B.b.length).to.equal(64);
    // A cap that is not a power of two: doubling from 512 KB would give 1 MB of room past it.
    const capped = new LuaHarness({ mode: 'sandbox', timeBudgetMs: 5000, maxStringBytes: 1_000_000 });
    const err = await failure(capped, 'return (string.rep("z", 520000):gsub("z", "zz"))');
    expect(err.message).to.contain('string length overflow');
    expect(await capped.run('local s = string.rep("ab", 200):gsub("b", "cd") return #s, s:sub(1, 7), s:sub(-3)'))
      .to.deep.equal([600, 'acdacda', 'acd']);
  });

  it('(patch: pattern step budget) ends a pathological string.find with a Lua error', async () => {
    const err = await failure(h, 'return string.find(string.rep("a", 150), ".-.-.-.-b$")');
    expect(err.message).to.contain('pattern too complex');
  });

  it('ends unbounded table growth', async () => {
    expect(await failure(h, 'local t = {} for i = 1, 1e9 do t[i] = {i} end')).to.be.instanceOf(LuaTimeoutError);
  });

  it('keeps working after every kind of budget failure', async () => {
    await failure(h, 'while true do end');
    await failure(h, 'local s = "x" for i = 1, 40 do s = s .. s end');
    expect(await h.run('return 1 + 1')).to.deep.equal([2]);
  });

  it('lets pcall catch the string cap (it is an ordinary error)', async () => {
    expect(await h.run('local ok, e = pcall(string.rep, "x", 1e8); return ok, e')).to.deep.equal([false, 'string length overflow']);
  });
});

describe('01-lua fengari patches', () => {
  const h = new LuaHarness({ mode: 'on' });

  it('(patch: string hash) keeps keys with bytes below 0x10 distinct', async () => {
    expect(await h.run('local t = {}; t["\\1#"] = 1; t["\\18\\3"] = 2; t["a\\n1"] = 3; t["a\\163\\1"] = 4; return t["\\1#"], t["\\18\\3"], t["a\\n1"], t["a\\163\\1"]'))
      .to.deep.equal([1, 2, 3, 4]);
  });

  it("(patch: os.date '!') formats in UTC and does not print the '!'", async () => {
    expect(await h.run('return os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%H", 3600 * 5)')).to.deep.equal(['1970-01-01 00:00:00', '05']);
  });

  it('(patch: LuaJIT error wording) names the variable before the type', async () => {
    const err = await failure(h, 'local x; return x.y');
    expect(err.message).to.equal(`[string "budget"]:1: attempt to index local 'x' (a nil value)`);
  });

  it('(patch: arithmetic as doubles) integer results beyond 32 bits do not wrap', async () => {
    expect(await h.run('local a, b = tonumber("100000"), tonumber("100000"); return a * b, math.floor(2^31) + 1, -(-2147483647 - 1)'))
      .to.deep.equal([1e10, 2147483649, 2147483648]);
  });

  it('(patch: CallInfo reuse) a call reuses the frame record the previous call at that depth used', () => {
    const L = h.engine.L as unknown as { ci: { next: object | null } };
    const call = (): void => {
      lua.lua_pushcfunction(h.engine.L, () => 0);
      lua.lua_call(h.engine.L, 0, 0);
    };
    call();
    const frame = L.ci.next;
    expect(frame).to.not.equal(null);
    call();
    expect(L.ci.next).to.equal(frame);
  });

  it('(patch: CallInfo reuse) frames reused after errors, yields and deep recursion give the same results', async () => {
    expect(await h.run(`
      local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
      local ok, err = pcall(function() local t = nil; return t.x end)
      local co = coroutine.wrap(function(a)
        local b = coroutine.yield(a + 1)
        local ok2 = pcall(error, "inner")
        local c = coroutine.yield(b * 2, ok2)
        return c .. "!"
      end)
      local y1 = co(1)
      local y2, ok2 = co(10)
      local last = co("done")
      return depth(150), ok, (err:gsub("^.-: ", "")), y1, y2, ok2, last, select("#", pcall(depth, 3))
    `)).to.deep.equal([150, false, "attempt to index local 't' (a nil value)", 2, 20, false, 'done!', 2]);
  });

  it('(patch: lazy dead-key map) a table gets the map only once a key is removed; next() still walks past removed keys', async () => {
    const L = h.engine.L;
    lua.lua_createtable(L, 0, 0);
    const table = lua.lua_topointer(L, -1) as unknown as { dead_strong: unknown };
    expect(table.dead_strong).to.equal(undefined);
    lua.lua_pop(L, 1);
    expect(await h.run(`
      local t = {a = 1, b = 2, c = 3, d = 4}
      local seen = {}
      for k in pairs(t) do
        if k == "b" or k == "c" then t[k] = nil end
        seen[#seen + 1] = k
      end
      table.sort(seen)
      local left = {}
      for k, v in pairs(t) do left[#left + 1] = k .. v end
      table.sort(left)
      return table.concat(seen, ","), table.concat(left, ",")
    `)).to.deep.equal(['a,b,c,d', 'a1,d4']);
  });

  it('(patch: small tables) up to 8 entries a table has no Map; the 9th entry makes one, and lookups, next, # and deletes agree either side; an entry is its value slot', async () => {
    const L = h.engine.L;
    lua.lua_createtable(L, 0, 0);
    const table = lua.lua_topointer(L, -1) as unknown as { strong: Map<unknown, unknown> | null; size: number };
    for (let i = 1; i <= 8; i++) {
      lua.lua_pushinteger(L, i * 10);
      lua.lua_rawseti(L, -2, i);
    }
    expect(table.strong).to.equal(null);
    expect(table.size).to.equal(8);
    // (patch: entries are slots) an entry carries its value's type and value itself, and its key's.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ltable = require('fengari/src/ltable.js') as { find_entry(t: object, hash: unknown): { type: number; value: unknown; ktype: number; kvalue: unknown } };
    const entry = ltable.find_entry(table, 3);
    expect([entry.type & 0x0f, entry.value, entry.ktype, entry.kvalue]).to.deep.equal([lua.LUA_TNUMBER, 30, lua.LUA_TNUMBER | (1 << 4) /* an integer key */, 3]);
    lua.lua_pushinteger(L, 90);
    lua.lua_rawseti(L, -2, 9);
    expect(table.strong).to.be.instanceOf(Map);
    expect(table.strong?.size).to.equal(9);
    lua.lua_pop(L, 1);
    // The same walk over a table that stays small and one that grows past the limit mid-way:
    // mixed key types, a key removed and put back, removals during pairs, 1.0 filed as 1.
    const walk = (extra: number): string => `
      local t = {}
      t[1.0] = "one"; t.a = "A"; t[true] = "T"; t[2] = "two"; t.b = "B"
      t.a = nil; t.a = "A2"
      for i = 1, ${extra} do t["k" .. i] = i end
      local seen = 0
      for k, v in pairs(t) do
        seen = seen + 1
        if type(k) == "string" and k:sub(1, 1) == "k" and v % 2 == 0 then t[k] = nil end
      end
      local left = {}
      for k, v in pairs(t) do left[#left + 1] = tostring(k) .. "=" .. tostring(v) end
      table.sort(left)
      return seen, #t, t[1], rawget(t, "a"), t[true], t.k1, t.k2, table.concat(left, ",")`;
    expect(await h.run(walk(2))).to.deep.equal([7, 2, 'one', 'A2', 'T', 1, null,
      '1=one,2=two,a=A2,b=B,k1=1,true=T']);
    expect(await h.run(walk(7))).to.deep.equal([12, 2, 'one', 'A2', 'T', 1, null,
      '1=one,2=two,a=A2,b=B,k1=1,k3=3,k5=5,k7=7,true=T']);
  });

  it('(patch: string copies) lua strings are copied natively, not through the iterator protocol', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const defs = require('fengari/src/defs.js') as { luastring_from(a: ArrayLike<number>): Uint8Array };
    const source = new Uint8Array([104, 105, 0, 255]);
    Object.defineProperty(source, Symbol.iterator, { value: () => { throw new Error('iterated'); } });
    const copy = defs.luastring_from(source);
    expect(copy).to.be.instanceOf(Uint8Array);
    expect(copy).to.not.equal(source);
    expect([...copy]).to.deep.equal([104, 105, 0, 255]);
    expect([...defs.luastring_from([1, 2, 3])]).to.deep.equal([1, 2, 3]);
  });

  it('(patch: count hook) the VM counts down to the budget hook itself and calls the hook code only when it fires', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ldebug = require('fengari/src/ldebug.js') as { luaG_traceexec: (L: unknown) => void };
    const original = ldebug.luaG_traceexec;
    let calls = 0;
    ldebug.luaG_traceexec = (L) => { calls++; original(L); };
    try {
      expect(await h.run('local n = 0 for i = 1, 20000 do n = n + i % 3 end return n')).to.deep.equal([20001]);
    } finally {
      ldebug.luaG_traceexec = original;
    }
    // About 80,000 instructions with the budget hook every 1,000: tens of calls, not one per instruction.
    expect(calls).to.be.greaterThan(20).and.lessThan(200);
  });

  it("(patch: argument errors) name a function called through a variable '?' as LuaJIT", async () => {
    expect(await h.run('return select(2, pcall(string.rep))')).to.deep.equal(["bad argument #1 to '?' (string expected, got no value)"]);
  });
});
