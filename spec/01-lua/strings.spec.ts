// Strings crossing between JS and Lua (src/lua/strings.ts): interned short strings and the text
// cached on Lua strings must be indistinguishable from fresh copies.
import { expect } from 'chai';
import { lua, lauxlib, toLuaString } from '../../src/lua/fengari';
import type { LuaState } from '../../src/lua/fengari';
import { pushString, toText, toBytes } from '../../src/lua/marshal';
import { pushText, textAt } from '../../src/lua/strings';
import { createLuaState } from '../../src/lua/state';

function run(L: LuaState, source: string, nargs: number, nresults: number): void {
  if (lauxlib.luaL_loadstring(L, toLuaString(source)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1) ?? 'load');
  lua.lua_insert(L, -1 - nargs);
  if (lua.lua_pcall(L, nargs, nresults, 0) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1) ?? 'run');
}

describe('01-lua strings crossing JS and Lua', () => {
  let L: LuaState;
  beforeEach(() => {
    L = createLuaState();
  });

  const samples = ['', 'a', 'status', 'X-Req-User', 'héllo', '日本語', 'emoji 😀', 'nul\u0000byte', 'x'.repeat(40), 'y'.repeat(41), 'z'.repeat(300)];

  it('round-trips every kind of string as UTF-8 bytes, pushed twice (interned or not)', () => {
    for (const s of samples) {
      for (let i = 0; i < 2; i++) {
        pushString(L, s);
        expect(toText(L, -1)).to.equal(s);
        expect(Buffer.from(toBytes(L, -1)!).toString('utf8')).to.equal(s);
        expect(lua.lua_rawlen(L, -1)).to.equal(Buffer.byteLength(s));
        lua.lua_pop(L, 1);
      }
    }
  });

  it('an interned string is the same Lua value as one Lua made: equal, and the same table key', () => {
    pushText(L, 'plan');
    run(L, 'local k = ...; local t = {plan = 1}; return k == "plan", t[k], #k, k:upper()', 1, 4);
    expect(lua.lua_toboolean(L, 1)).to.equal(true);
    expect(lua.lua_tonumber(L, 2)).to.equal(1);
    expect(lua.lua_tonumber(L, 3)).to.equal(4);
    expect(toText(L, 4)).to.equal('PLAN');
  });

  it('Lua string operations on an interned string never change it for the next push', () => {
    pushText(L, 'token');
    run(L, 'local s = ...; return s:upper(), s:rep(2), s:sub(2), s .. "!"', 1, 4);
    expect([1, 2, 3, 4].map((i) => toText(L, i))).to.deep.equal(['TOKEN', 'tokentoken', 'oken', 'token!']);
    lua.lua_settop(L, 0);
    pushText(L, 'token');
    expect(toText(L, -1)).to.equal('token');
  });

  it('reads text at positive and negative stack indices, and caches it without changing it', () => {
    run(L, 'return "abc", "d\\195\\169f", string.rep("q", 500)', 0, 3);
    for (let pass = 0; pass < 2; pass++) {
      expect(textAt(L, 1)).to.equal('abc');
      expect(textAt(L, -3)).to.equal('abc');
      expect(textAt(L, 2)).to.equal('déf');
      expect(textAt(L, 3)).to.equal('q'.repeat(500));
    }
  });

  it('invalid UTF-8 from Lua reads leniently (replacement character), as before', () => {
    run(L, 'return "a\\255b"', 0, 1);
    expect(toText(L, 1)).to.equal('a\uFFFDb');
    expect(toText(L, 1)).to.equal('a\uFFFDb');
  });

  it('a number on the stack still reads as its Lua text (toText is not limited to strings)', () => {
    lua.lua_pushnumber(L, 5);
    expect(toText(L, -1)).to.equal('5');
  });

  it('keeps working past the intern table limit (many distinct short strings)', () => {
    for (let i = 0; i < 20_000; i++) {
      pushText(L, `id-${i}`);
      if (i % 997 === 0) expect(toText(L, -1)).to.equal(`id-${i}`);
      lua.lua_pop(L, 1);
    }
    pushText(L, 'id-5');
    run(L, 'return (...) == "id-" .. 5', 1, 1);
    expect(lua.lua_toboolean(L, -1)).to.equal(true);
  });
});
