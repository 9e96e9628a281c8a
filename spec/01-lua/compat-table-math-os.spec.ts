import { expect } from 'chai';
import { InProcessLua } from './differential/in-process-lua';

describe('LuaJIT compat: table, math, os, bit', () => {
  const vm = new InProcessLua();

  it('has Kong 5.2-compat table.pack/unpack/move', () => {
    expect(vm.eval('table.pack(1, nil, 3).n, table.unpack({1, 2})')).to.equal('3\t1\t2');
    expect(vm.eval('table.concat(table.move({1, 2, 3}, 1.5, 3, 2), ",")')).to.equal('1,1,2,3');
  });

  it('has the OpenResty table extensions listed in Kong\'s sandbox', () => {
    expect(vm.eval('table.isarray({}), table.isarray({1, 2}), table.isarray({[2] = 1}), table.isarray({a = 1}), table.isarray({[1.5] = 1})'))
      .to.equal('true\ttrue\ttrue\tfalse\tfalse');
    expect(vm.eval('table.nkeys({1, 2, a = 3}), table.isempty({}), table.isempty({a = 1})')).to.equal('3\ttrue\tfalse');
    expect(vm.eval('(function() local t = {1, 2, a = 3} table.clear(t) return next(t) end)()')).to.equal('nil');
    expect(vm.eval('(function() local t = setmetatable({1, x = 2}, {}) local c = table.clone(t) return c[1], c.x, getmetatable(c), c ~= t end)()'))
      .to.equal('1\t2\tnil\ttrue');
    expect(vm.eval('type(table.new(10, 2)), next(table.new(4, 4))')).to.equal('table\tnil');
  });

  it('inserts and removes permissively as LuaJIT', () => {
    expect(vm.eval('(function() local t = {} table.insert(t, 5, "x") return t[5] end)()')).to.equal('x');
    expect(vm.eval('select("#", table.remove({}, 5)), select("#", table.remove({1, 2}, 4))')).to.equal('0\t0');
    expect(() => vm.run('table.insert({}, 1, 2, 3)')).to.throw(/wrong number of arguments to 'insert'/);
  });

  it('has the 5.1 math functions and float results', () => {
    expect(vm.eval('math.pow(2, 10), math.ldexp(0.5, 4), math.log10(1000), math.log(8, 2), math.frexp(8)')).to.equal('1024\t8\t3\t3\t0.5\t4');
    expect(vm.eval('math.cosh(0), math.sinh(0), math.tanh(0), math.atan2(0, -1) == math.pi')).to.equal('1\t0\t0\ttrue');
    expect(vm.eval('math.fmod(7, 0), math.fmod(-7, 3), math.floor(-0.0), math.mod, math.type')).to.equal('nan\t-1\t-0\tnil\tnil');
    // floor must not return fengari's 32-bit integers, which would wrap in later integer arithmetic
    expect(vm.eval('math.floor(2147483647.5) + math.floor(1.5)')).to.equal('2147483648');
  });

  it('keeps math.random within LuaJIT\'s ranges', () => {
    expect(vm.eval('(function() for i = 1, 500 do local r = math.random(3.5) if r < 1 or r > 4 or r % 1 ~= 0 then return r end end return "ok" end)()')).to.equal('ok');
  });

  it('returns float times so os.time() * 1000 does not wrap', () => {
    expect(vm.eval('os.time() * 1000 > 2^32, string.format("%d", os.time() * 1000) == tostring(os.time() * 1000)')).to.equal('true\ttrue');
    expect(vm.eval('os.time({year = 2020, month = 1, day = 1, hour = 0, isdst = false}) % 60')).to.equal('0');
    expect(() => vm.run('os.time({year = 2020})')).to.throw(/field 'day' missing in date table/);
  });

  it('formats UTC dates with "!" and float timestamps', () => {
    expect(vm.eval('os.date("!%Y-%m-%dT%H:%M:%SZ", 1700000000.9)')).to.equal('2023-11-14T22:13:20Z');
    expect(vm.eval('os.date("!%j %U %c", 1700000000)')).to.equal('318 46 Tue Nov 14 22:13:20 2023');
    expect(vm.eval('os.date("!*t", 0).isdst, os.date("!*t", 0).yday')).to.equal('false\t1');
    expect(vm.eval('os.date("!%Y", 4102444800)')).to.equal('2100');
  });

  it('implements bit with 32-bit semantics', () => {
    expect(vm.eval('bit.band(0xff, 0x0f), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.tobit(2^32 + 5)')).to.equal('15\t-2147483648\t15\t-4\t5');
    expect(vm.eval('bit.tohex(255), bit.tohex(255, -4), bit.tohex(-1), bit.bswap(0x12345678), bit.rol(0x12345678, 8)')).to.equal('000000ff\t00FF\tffffffff\t2018915346\t878082066');
    expect(vm.eval('bit.tobit(1.5), bit.tobit(2.5), bit.bnot(0)')).to.equal('2\t2\t-1');
  });
});
