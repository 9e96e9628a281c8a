import { expect } from 'chai';
import { lua, toLuaString } from '../../src/lua/fengari';
import { InProcessLua } from './differential/in-process-lua';

describe('LuaJIT compat: base library', () => {
  const vm = new InProcessLua();

  it('sets _VERSION and the static jit table as Kong sees them', () => {
    expect(vm.eval('_VERSION')).to.equal('Lua 5.1');
    expect(vm.eval('jit.os, jit.arch, jit.version, jit.version_num')).to.equal('Linux\tx64\tLuaJIT 2.1.0-beta3\t20100');
  });

  it('has a global unpack with truncated bounds', () => {
    expect(vm.eval('unpack({1, 2, 3})')).to.equal('1\t2\t3');
    expect(vm.eval('unpack({1, 2, 3}, 1.5, 2.5)')).to.equal('1\t2');
    expect(vm.eval('select("#", unpack({}, 1, 3))')).to.equal('3');
  });

  it('parses numbers like LuaJIT tonumber', () => {
    expect(vm.eval('tonumber("0x10"), tonumber(" 10 "), tonumber("1e2"), tonumber("10", 16)')).to.equal('16\t10\t100\t16');
    expect(vm.eval('tonumber("0xffffffff"), tonumber("7fffffffff", 16), tonumber("12", 2)')).to.equal('4294967295\t549755813887\tnil');
    expect(vm.eval('tonumber("inf"), tonumber("nan"), tonumber("0x"), tonumber("")')).to.equal('inf\tnan\tnil\tnil');
    expect(() => vm.run('tonumber("1", 99)')).to.throw(/base out of range/);
  });

  it('adds the position to numeric error values as LuaJIT does', () => {
    expect(vm.run('print(select(2, pcall(function() error(42) end)))', '=chunk')[0]).to.equal('chunk:1: 42');
  });

  it('answers collectgarbage like an idle LuaJIT collector', () => {
    expect(vm.eval('type(collectgarbage("count")), collectgarbage("count") > 0')).to.equal('number\ttrue');
    expect(vm.eval('collectgarbage(), collectgarbage("collect"), collectgarbage("step"), collectgarbage("isrunning")')).to.equal('0\t0\tfalse\ttrue');
    expect(() => vm.run('collectgarbage("bogus")')).to.throw(/invalid option 'bogus'/);
  });

  it('loadstring loads text into a fresh env that reads the caller globals and keeps its own writes', () => {
    const out = vm.run([
      'shared_value = 41',
      'local f = loadstring("leaked = true return shared_value + 1")',
      'print(f(), leaked, rawget(_G, "leaked"))',
      'print(loadstring("return +"))',
      'print(select(2, pcall(loadstring("error(\'x\')", "=named"))))',
    ].join('\n'));
    expect(out[0]).to.equal('42\tnil\tnil');
    expect(out[1]).to.match(/^nil\t\[string "return \+"\]:1: unexpected symbol/);
    expect(out[2]).to.equal('named:1: x');
  });

  it('loadstring refuses bytecode', () => {
    expect(vm.eval('loadstring("\\27Lua")')).to.match(/^nil\t.*attempt to load a binary chunk/);
  });

  it('loadstring uses the engine-supplied base and source transform when given', () => {
    const custom = new InProcessLua({
      pushBase: (L) => { lua.lua_createtable(L, 0, 1); lua.lua_pushstring(L, toLuaString('from base')); lua.lua_setfield(L, -2, toLuaString('marker')); },
      transformSource: (src) => toLuaString(Buffer.from(src).toString('latin1').replace('MARK', 'marker')),
    });
    expect(custom.eval('loadstring("return MARK")()')).to.equal('from base');
  });

  it('select truncates and counts like LuaJIT', () => {
    expect(vm.eval('select(1.5, "a", "b")')).to.equal('a\tb');
    expect(vm.eval('select(-1, "a", "b")')).to.equal('b');
    expect(() => vm.run('local x = select(0, 1)')).to.throw(/index out of range/);
  });
});
