// Raw reads of fengari tables from JS (src/lua/raw-table.ts) must find exactly what lua_rawget
// finds: they depend on how fengari (as patched) files keys, which these cases pin down.
import { expect } from 'chai';
import { lua, lauxlib, toLuaString } from '../../src/lua/fengari';
import type { LuaState } from '../../src/lua/fengari';
import { pushString, toText } from '../../src/lua/marshal';
import { asTable, pushTable, rawIntField, rawKey, rawKeyedField, rawStringField, type RawTable } from '../../src/lua/raw-table';
import { createLuaState } from '../../src/lua/state';
import { tableAt } from '../../src/lua/stack';
import { textOfString } from '../../src/lua/strings';

function runReturningTable(L: LuaState, source: string): void {
  if (lauxlib.luaL_loadstring(L, toLuaString(source)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1) ?? 'load');
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1) ?? 'run');
}

const KEYS = ['a', 'status', 'X-Req-User', 'x'.repeat(32), 'y'.repeat(33), 'z'.repeat(200), 'héllo', '日本語', 'emoji 😀', '', 'nul\u0000byte'];

describe('01-lua raw table reads from JS', () => {
  let L: LuaState;
  beforeEach(() => {
    L = createLuaState();
  });

  it('finds every string key lua_rawget finds, with the same value, and misses what it misses', () => {
    lua.lua_createtable(L, 0, 0);
    KEYS.forEach((key, i) => {
      pushString(L, key);
      pushString(L, `value ${i}`);
      lua.lua_rawset(L, -3);
    });
    const table = tableAt(L, -1) as RawTable;
    KEYS.forEach((key, i) => {
      const slot = rawStringField(table, key);
      expect(slot, key).to.not.equal(undefined);
      expect(textOfString(slot!.value), key).to.equal(`value ${i}`);
      expect(rawKeyedField(table, rawKey(key)), key).to.equal(slot);
      pushString(L, key);
      lua.lua_rawget(L, -2);
      expect(toText(L, -1), key).to.equal(`value ${i}`);
      lua.lua_pop(L, 1);
    });
    pushTable(L, table);
    expect(Boolean(lua.lua_rawequal(L, -1, -2))).to.equal(true);
    lua.lua_pop(L, 1);
    expect(rawStringField(table, 'absent')).to.equal(undefined);
    expect(rawStringField(table, 'A')).to.equal(undefined);
    expect(rawKeyedField(table, rawKey('absent'))).to.equal(undefined);
  });

  it('reads what Lua code stored, string and integer keys, and a removed key is gone', () => {
    runReturningTable(L, 'local t = {10, 20, [7] = "seven", name = "n", ["日本"] = true}; t.gone = 1; t.gone = nil; return t');
    const table = tableAt(L, -1) as RawTable;
    expect(rawIntField(table, 1)?.value).to.equal(10);
    expect(rawIntField(table, 2)?.value).to.equal(20);
    expect(rawIntField(table, 3)).to.equal(undefined);
    expect(rawStringField(table, '日本')?.value).to.equal(true);
    expect(textOfString(rawStringField(table, 'name')!.value)).to.equal('n');
    expect(rawStringField(table, 'gone')).to.equal(undefined);
    expect(asTable(rawIntField(table, 1))).to.equal(null);
  });

});
