import { expect } from 'chai';
import { InProcessLua } from './differential/in-process-lua';
import { parseFormat } from '../../src/lua/compat/string-format';

describe('LuaJIT compat: string library', () => {
  const vm = new InProcessLua();

  it('truncates number arguments, also through method calls on strings', () => {
    expect(vm.eval('("hello"):sub(1.5, 3.9), string.rep("x", 2.5), ("abc"):byte(1.5)')).to.equal('hel\txx\t97');
    expect(vm.eval('string.char(65.9), ("x"):rep(1e10), string.gsub("aaa", "a", "b", 1.5)')).to.equal('A\t\tbaa\t1');
    expect(vm.eval('getmetatable("").__index == string')).to.equal('true');
  });

  it('rejects string.char values outside a byte with LuaJIT wording', () => {
    expect(() => vm.run('local s = string.char(256)')).to.throw(/bad argument #1 to 'char' \(invalid value\)/);
  });

  it('clamps find/match start positions beyond the end', () => {
    expect(vm.eval('string.find("abc", "", 10)')).to.equal('4\t3');
    expect(vm.eval('string.find("abc", "x", 10)')).to.equal('nil');
  });

  it('treats %x in gsub replacements as a literal x and reports capture errors as LuaJIT', () => {
    expect(vm.eval('string.gsub("abc", "b", "%x")')).to.equal('axc\t1');
    expect(() => vm.run('local s = string.gsub("abc", "(b)", "%2")', '=f')).to.throw(/^f:1: invalid capture index$/);
  });

  it('formats %d/%x like LuaJIT (truncation, 64-bit two\'s complement)', () => {
    expect(vm.eval('string.format("%d|%d|%x|%X|%o", 3.7, 2^53, -1, -255, 8)')).to.equal('3|9007199254740992|ffffffffffffffff|FFFFFFFFFFFFFF01|10');
    expect(vm.eval('string.format("%d", 2^63), string.format("%5.1s|", "abc")')).to.equal('-9223372036854775808\t    a|');
  });

  it('formats %g/%e/%f/%a as LuaJIT (its own formatter rounds exact halves away from zero)', () => {
    expect(vm.eval('string.format("%g|%G|%.3g|%#g|%e|%.0f|%a|%A", 1e15, 1e-10, 1234567, 1, 12345.678, 2.5, 1, 255.5)'))
      .to.equal('1e+15|1E-10|1.23e+06|1.00000|1.234568e+04|3|0x1p+0|0X1.FFP+7');
  });

  it('formats %q and %s through LuaJIT tostring', () => {
    expect(vm.eval('string.format("%q", 1/3)')).to.equal('"0.33333333333333"');
    expect(vm.eval('string.format("%q", "a\\n\\0")')).to.equal('"a\\\n\\0"');
    expect(vm.eval('string.format("%s|%s", 1e15, setmetatable({}, {__tostring = function() return "T" end}))')).to.equal('1e+15|T');
  });

  it('raises LuaJIT errors for bad specs and missing arguments', () => {
    expect(() => vm.run('local s = string.format("%y", 1)', '=f')).to.throw(/^f:1: invalid option '%y' to 'format'$/);
    expect(() => vm.run('local s = string.format("%d")')).to.throw(/bad argument #2 to 'format' \(value expected\)/);
    expect(() => vm.run('local s = string.format("%.100f", 1)')).to.throw(/invalid option '%.100' to 'format'/);
  });

  it('parses a format string into literal and spec segments', () => {
    const segments = parseFormat('a%-5.2fb%%');
    expect(segments).to.have.length(3);
    expect(segments[0]).to.equal('a');
    expect(segments[1]).to.include({ minus: true, width: 5, precision: 2, conversion: 'f' });
    expect(segments[2]).to.equal('b%');
  });

  it('keeps binary bytes intact through format and concat', () => {
    expect(vm.eval('#string.format("%s%s", "\\255\\0", "\\128"), string.format("%s", "\\255"):byte()')).to.equal('3\t255');
  });

  it('removes Lua 5.3-only string functions', () => {
    expect(vm.eval('string.pack, string.unpack, string.packsize')).to.equal('nil\tnil\tnil');
  });
});
