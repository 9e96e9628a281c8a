// Lazy JS → Lua tables (src/lua/lazy): built on first read, plain afterwards, complete for
// pairs/#/cjson/toValue, writes and deletions respected, bytes kept as bytes.
import { expect } from 'chai';
import { lua } from '../../src/lua/fengari';
import type { LuaState } from '../../src/lua/fengari';
import { DoneKeys, pushLazy, pushLazyCaseInsensitive, pushLazyJson, lazySourceOf, materializeDeep } from '../../src/lua/lazy';
import { LUA_NULL, pushValue, toValue } from '../../src/lua/marshal';
import { encodeJsonBytes } from '../../src/pdk/json';
import { makeEngine } from './support';

describe('lazy marshalling', () => {
  const engine = makeEngine({ mode: 'on' });

  /** Runs `source` as function(t) with `push` providing t; returns the results as JS. */
  function withTable(push: (L: LuaState) => void, source: string): unknown[] {
    const chunk = engine.compileChunk(`local t = ... ${source}`, 'lazy');
    const env = engine.createChunkEnv();
    const outcome = engine.call(chunk, env, null, (L, n) => {
      const out: unknown[] = [];
      for (let i = 1; i <= n; i++) { materializeDeep(L, i); out.push(toValue(L, i)); }
      return out;
    }, (L) => { push(L); return 1; });
    engine.unref(env.ref);
    if (outcome instanceof Promise || outcome.kind !== 'returned') throw new Error('unexpected outcome');
    return outcome.value;
  }

  const body = { token: 'abc', n: 1.5, list: [1, 'two', { deep: true }], nested: { a: { b: 'c' } }, nul: null, empty: [] as unknown[] };

  it('reads values, nested tables and arrays', () => {
    expect(withTable((L) => pushLazy(L, body), 'return t.token, t.n, t.list[2], t.list[3].deep, t.nested.a.b, t.missing, #t.list'))
      .to.deep.equal(['abc', 1.5, 'two', true, 'c', null, 3]);
  });

  it('keeps a child table identical across reads and builds only what is read', () => {
    let top: { host: { done: DoneKeys } | null } | undefined;
    const out = withTable((L) => { pushLazy(L, body); top = lua.lua_topointer(L, -1) as typeof top; }, 'local a = t.nested return a == t.nested');
    expect(out).to.deep.equal([true]);
    const done = top?.host?.done;
    expect(Object.keys(body).filter((key) => done?.has(key))).to.deep.equal(['nested']);
  });

  it('keeps track of every key read one by one, past the short list (a loop over a long array)', () => {
    const long = { list: Array.from({ length: 40 }, (_, i) => `v${i + 1}`) };
    const out = withTable((L) => pushLazy(L, long), `
      local seen = 0
      for i = 1, 40 do if t.list[i] == "v" .. i then seen = seen + 1 end end
      t.list[3] = nil
      t.list[30] = nil
      return seen, t.list[3], t.list[30], t.list[31], t.list[2]`);
    expect(out).to.deep.equal([40, null, null, 'v31', 'v2']);
  });

  it('DoneKeys answers for the keys added, in a short list and past it', () => {
    const done = new DoneKeys('a');
    for (let i = 1; i <= 20; i++) {
      done.add(i);
      done.add(i);
    }
    done.add('b');
    expect(done.has('a') && done.has('b') && done.has(1) && done.has(20)).to.equal(true);
    expect(done.has('c') || done.has(21) || done.has('1')).to.equal(false);
    const short = new DoneKeys();
    short.add(2);
    expect([short.has(2), short.has('2')]).to.deep.equal([true, false]);
  });

  // LuaJIT's table library, unpack, next and raw* read the table itself, not its metatable: on Kong
  // a decoded body is an ordinary table, so these must see (and change) every field here too.
  it('is built for the functions that read or write a table raw', () => {
    const list = { list: ['b', 'c', 'a'], n: 2 };
    const cases: Array<[string, unknown[]]> = [
      ['return table.concat(t.list, ",")', ['b,c,a']],
      ['return unpack(t.list)', ['b', 'c', 'a']],
      ['return next(t) ~= nil, rawget(t, "n"), rawlen(t.list)', [true, 2, 3]],
      ['table.sort(t.list) return table.concat(t.list, ",")', ['a,b,c']],
      ['table.insert(t.list, 1, "z") return table.concat(t.list, ","), #t.list', ['z,b,c,a', 4]],
      ['return table.remove(t.list), #t.list', ['a', 2]],
      ['return table.getn(t.list), table.maxn(t.list), table.nkeys(t), table.isempty(t), table.isarray(t.list)', [3, 3, 2, false, true]],
      ['local c = table.clone(t.list) return table.concat(c, ",")', ['b,c,a']],
      ['table.clear(t) return t.n, t.list', [null, null]],
      ['rawset(t, "n", nil) return t.n', [null]],
      ['local s = "" table.foreachi(t.list, function(i, v) s = s .. v end) return s', ['bca']],
      ['local d = {} table.move(t.list, 1, 3, 1, d) return table.concat(d, ",")', ['b,c,a']],
    ];
    for (const [source, expected] of cases) {
      expect(withTable((L) => pushLazy(L, list), source), source).to.deep.equal(expected);
    }
  });

  it('is read whole by toValue alone, also below an ordinary table, with edits and deletions kept', () => {
    const chunk = engine.compileChunk(`local t = ...
      local seen = t.nested.a.b
      t.token = nil
      t.list[1] = "one"
      return { wrap = t, extra = { 1, 2, 3 }, flag = false, n = 3.5, [70] = "seventy", cnull = require("cjson").null }`, 'lazy');
    const env = engine.createChunkEnv();
    const outcome = engine.call(chunk, env, null, (L) => toValue(L, 1), (L) => { pushLazyJson(L, body); return 1; });
    engine.unref(env.ref);
    if (outcome instanceof Promise || outcome.kind !== 'returned') throw new Error('unexpected outcome');
    expect(outcome.value).to.deep.equal({
      wrap: { n: 1.5, list: ['one', 'two', { deep: true }], nested: { a: { b: 'c' } }, nul: LUA_NULL, empty: {} },
      extra: [1, 2, 3], flag: false, n: 3.5, 70: 'seventy', cnull: LUA_NULL,
    });
  });

  it('JSON null becomes cjson.null in pushLazyJson, nil in pushLazy', () => {
    expect(withTable((L) => pushLazyJson(L, body), 'local cjson = require "cjson" return t.nul == cjson.null, t.nul ~= nil'))
      .to.deep.equal([true, true]);
    expect(withTable((L) => pushLazy(L, body), 'return t.nul == nil')).to.deep.equal([true]);
  });

  it('pairs and # see every entry', () => {
    expect(withTable((L) => pushLazy(L, body), 'local keys = {} for k in pairs(t) do keys[#keys + 1] = k end table.sort(keys) return table.concat(keys, ","), #t.list'))
      .to.deep.equal(['empty,list,n,nested,token', 3]);
    expect(withTable((L) => pushLazy(L, [10, 20, 30]), 'local s = 0 for _, v in ipairs(t) do s = s + v end return s, #t')).to.deep.equal([60, 3]);
  });

  it('respects writes and deletions made before the table was built', () => {
    expect(withTable((L) => pushLazy(L, body), 't.token = "new" t.n = nil local c = 0 for k, v in pairs(t) do c = c + 1 end return t.token, t.n, c'))
      .to.deep.equal(['new', null, 4]);
    expect(withTable((L) => pushLazy(L, body), 'local x = t.token t.token = nil return t.token')).to.deep.equal([null]);
  });

  it('is seen whole by the PDK JSON encoder and by the host (materializeDeep + toValue)', () => {
    const L = engine.L;
    pushLazyJson(L, body);
    const json = new TextDecoder().decode(encodeJsonBytes(L, -1));
    lua.lua_pop(L, 1);
    // A JSON array stays an array once built, even empty (cjson array_mt).
    expect(JSON.parse(json)).to.deep.equal(body);
    expect(withTable((L2) => pushLazyJson(L2, { a: { b: [1, 2] } }), 'return t')).to.deep.equal([{ a: { b: [1, 2] } }]);
  });

  it('becomes an ordinary table once built', () => {
    const L = engine.L;
    pushLazy(L, { a: { b: 1 } });
    expect(lazySourceOf(L, -1)).to.not.equal(undefined);
    materializeDeep(L, -1);
    expect(lazySourceOf(L, -1)).to.equal(undefined);
    expect(toValue(L, -1)).to.deep.equal({ a: { b: 1 } });
    lua.lua_pop(L, 1);
  });

  it('shows getmetatable and setmetatable the value\'s own metatable, as a table Kong decoded would have', () => {
    expect(withTable((L) => pushLazyJson(L, body), `
      local cjson = require("cjson")
      local object_mt, list_is_array = getmetatable(t), getmetatable(t.list) == cjson.array_mt
      local nested = setmetatable(t.nested, { __index = function(_, k) return "default-" .. k end })
      return object_mt, list_is_array, nested == t.nested, nested.a.b, nested.other, t.token, rawget(t, "n")`))
      .to.deep.equal([null, true, true, 'c', 'default-other', 'abc', 1.5]);
    expect(withTable((L) => pushLazyCaseInsensitive(L, { 'content-type': 'a/b' }), `
      local meta = getmetatable(t)
      return type(meta), t["Content-Type"], pcall(setmetatable, t, nil)`))
      .to.deep.equal(['table', 'a/b', true, { 'content-type': 'a/b' }]);
  });

  it('keeps bytes as bytes', () => {
    const bytes = new Uint8Array([0, 255, 1]);
    expect(withTable((L) => pushLazy(L, { raw: bytes }), 'return #t.raw, t.raw:byte(2)')).to.deep.equal([3, 255]);
  });

  // The VM answers a missing key of a lazy table through a host hook (our fengari patch), not the
  // metamethods; they stay on the metatable (unreachable from snippets: getmetatable builds the
  // table first and there is no debug library) and must give the same answers.
  it('answers the same through its metamethods as through ordinary indexing', () => {
    const L = engine.L;
    const top = lua.lua_gettop(L);
    const meta = (event: string, ...args: Array<string | number | null>): unknown => {
      lua.lua_getmetatable(L, top + 1);
      lua.lua_getfield(L, -1, event);
      lua.lua_remove(L, -2);
      lua.lua_pushvalue(L, top + 1);
      for (const arg of args) pushValue(L, arg);
      lua.lua_call(L, args.length + 1, event === '__index' ? 1 : 0);
      if (event !== '__index') return undefined;
      const value = toValue(L, -1);
      lua.lua_pop(L, 1);
      return value;
    };
    const field = (key: string): unknown => {
      lua.lua_getfield(L, top + 1, key);
      const value = toValue(L, -1);
      lua.lua_pop(L, 1);
      return value;
    };
    try {
      pushLazy(L, body);
      expect(meta('__index', 'nested')).to.deep.equal({ a: { b: 'c' } });
      expect(meta('__index', 'nested')).to.equal(null);          // built: a raw read finds it, the metamethod has nothing more
      meta('__newindex', 'token', 'edited');
      expect([field('token'), field('n'), meta('__index', 7), field('list')]).to.deep.equal(['edited', 1.5, null, [1, 'two', { deep: true }]]);
      lua.lua_settop(L, top);
      pushLazyCaseInsensitive(L, { 'content-type': 'a/b' });
      expect([meta('__index', 'Content-Type'), field('CONTENT-TYPE'), meta('__index', 1), field('missing')]).to.deep.equal(['a/b', 'a/b', null, null]);
    } finally {
      lua.lua_settop(L, top);
    }
  });

  describe('header fields (case-insensitive)', () => {
    const fields = { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'x-empty': '' };

    it('finds a field by any case, and builds it under its lower-case name only', () => {
      expect(withTable((L) => pushLazyCaseInsensitive(L, fields),
        'return t["Content-Type"], t["SET-COOKIE"][2], t["x-empty"], t.missing, rawget(t, "Content-Type") == nil, rawget(t, "content-type")'))
        .to.deep.equal(['application/json', 'b=2', '', null, true, 'application/json']);
    });

    it('pairs sees each field once, under its lower-case name; lookups by any case still work afterwards', () => {
      expect(withTable((L) => pushLazyCaseInsensitive(L, fields), `
        local _ = t["Content-Type"]
        local keys = {} for k in pairs(t) do keys[#keys + 1] = k end table.sort(keys)
        return table.concat(keys, ","), t["X-Empty"], t["Set-Cookie"][1]`))
        .to.deep.equal(['content-type,set-cookie,x-empty', '', 'a=1']);
    });

    it('keeps writes and deletions, in any case', () => {
      expect(withTable((L) => pushLazyCaseInsensitive(L, fields), `
        t["X-New"] = "v"; t["content-type"] = nil
        return t["X-New"], t["content-type"], t["Content-Type"]`))
        .to.deep.equal(['v', null, null]);
    });
  });
});
