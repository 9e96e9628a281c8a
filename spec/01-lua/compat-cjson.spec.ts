import { expect } from 'chai';
import { lua, toLuaString } from '../../src/lua/fengari';
import { encodeLuaValueToJson, pushJsonAsLua, JsonConversionError, defaultJsonConfig, JSON_NULL } from '../../src/lua/compat';
import { InProcessLua } from './differential/in-process-lua';

describe('LuaJIT compat: cjson (OpenResty fork as shipped by Kong)', () => {
  const vm = new InProcessLua();
  vm.run('cjson = require "cjson"; safe = require "cjson.safe"');

  it('encodes empty tables as {} and arrays marked by array_mt / empty_array as []', () => {
    expect(vm.eval('cjson.encode({}), cjson.encode(setmetatable({}, cjson.array_mt)), cjson.encode(cjson.empty_array)'))
      .to.equal('{}\t[]\t[]');
    expect(vm.eval('cjson.encode(setmetatable({}, cjson.empty_array_mt)), cjson.encode(setmetatable({a = 1}, cjson.empty_array_mt))'))
      .to.equal('[]\t{"a":1}');
    expect(vm.eval('cjson.encode(setmetatable({1, 2, x = 3}, cjson.array_mt))')).to.equal('[1,2]');
  });

  it('honours encode_empty_table_as_object and decode_array_with_array_mt per instance', () => {
    const out = vm.run([
      'local c = cjson.new()',
      'print(c.encode_empty_table_as_object(false), c.encode({}), cjson.encode({}))',
      'print(c.decode_array_with_array_mt(true), c.encode(c.decode("[]")), cjson.encode(cjson.decode("[]")))',
      'print(getmetatable(c.decode("[1]")) == cjson.array_mt, getmetatable(c.decode("{}")))',
    ].join('\n'));
    // Kong enables decode_array_with_array_mt (spec §6.8): a decoded [] encodes back as [].
    expect(out).to.deep.equal(['false\t[]\t{}', 'true\t[]\t[]', 'true\tnil']);
  });

  it('escapes "/" by default and can stop doing so', () => {
    expect(vm.eval('cjson.encode("a/b")')).to.equal('"a\\/b"');
    expect(vm.eval('(function() local c = cjson.new() c.encode_escape_forward_slash(false) return c.encode("a/b") end)()')).to.equal('"a/b"');
  });

  it('accepts a precision of up to 16 digits (OpenResty fork)', () => {
    expect(vm.eval('(function() local c = cjson.new() c.encode_number_precision(16) return c.encode(1/3) end)()')).to.equal('0.3333333333333333');
    expect(() => vm.run('cjson.encode_number_precision(17)')).to.throw(/expected integer between 1 and 16/);
  });

  it('returns nil, message from cjson.safe instead of raising', () => {
    expect(vm.eval('safe.decode("{a:1}")')).to.equal('nil\tExpected object key string but found invalid token at character 2');
    expect(vm.eval('safe.encode({[true] = 1})')).to.equal('nil\tCannot serialise boolean: table key must be a number or string');
  });

  it('raises lua-cjson messages with the caller position from cjson', () => {
    expect(() => vm.run('local v = cjson.decode("[1 2]")', '=f')).to.throw(/^f:1: Expected comma or array end but found T_NUMBER at character 4$/);
    expect(() => vm.run('local v = cjson.encode({[20] = 1})', '=f')).to.throw(/^f:1: Cannot serialise table: excessively sparse array$/);
  });

  it('keeps binary and non-ASCII bytes exact in both directions', () => {
    expect(vm.eval('#cjson.decode(\'"\\255\\\\u0000\\128"\'), cjson.decode(\'"\\255\\\\u0000\\128"\'):byte(1, 3)'))
      .to.equal('3\t255\t0\t128');
    expect(() => vm.run('local v = cjson.decode(\'"a\\0b"\')')).to.throw(/unexpected end of string at character 3/);
    expect(vm.eval('cjson.encode("\\255é") == \'"\\255é"\', cjson.decode(\'"\\\\ud83d\\\\ude00"\') == "😀"')).to.equal('true\ttrue');
  });

  it('exposes a JS encoder for the PDK that follows the same rules', () => {
    const L = vm.L;
    vm.run('pdk_body = {message = "a/b", list = {1, 2.5, cjson.null}, empty = {}}');
    lua.lua_getglobal(L, toLuaString('pdk_body'));
    const json = JSON.parse(Buffer.from(encodeLuaValueToJson(L, -1)).toString('utf8'));
    lua.lua_pop(L, 1);
    expect(json).to.deep.equal({ message: 'a/b', list: [1, 2.5, null], empty: {} });
    const top = lua.lua_gettop(L);
    lua.lua_pushcfunction(L, () => 0);
    expect(() => encodeLuaValueToJson(L, -1)).to.throw(JsonConversionError, 'Cannot serialise function: type not supported');
    lua.lua_pop(L, 1);
    expect(lua.lua_gettop(L)).to.equal(top);
  });

  it('exposes a JS decoder that pushes Lua values, with cjson.null for null', () => {
    const L = vm.L;
    pushJsonAsLua(L, Buffer.from('{"a":[1,null,"\\u00e9"],"b":{"c":true}}'));
    lua.lua_setglobal(L, toLuaString('decoded'));
    expect(vm.eval('decoded.a[1], decoded.a[2] == cjson.null, decoded.b.c, decoded.a[3]:byte(1, -1)')).to.equal('1\ttrue\ttrue\t195\t169');
    expect(() => pushJsonAsLua(L, Buffer.from('[1,'))).to.throw(JsonConversionError, 'Expected value but found T_END at character 4');
    lua.lua_pushlightuserdata(L, JSON_NULL);
    expect(Buffer.from(encodeLuaValueToJson(L, -1)).toString()).to.equal('null');
    lua.lua_pop(L, 1);
  });

  it('marshals 1000 levels of nesting without overflowing the Lua stack', () => {
    const L = vm.L;
    const deep = '['.repeat(1000) + '1' + ']'.repeat(1000);
    pushJsonAsLua(L, Buffer.from(deep));
    expect(Buffer.from(encodeLuaValueToJson(L, -1)).toString()).to.equal(deep);
    lua.lua_pop(L, 1);
    const cfg = { ...defaultJsonConfig(), decodeMaxDepth: 5 };
    expect(() => pushJsonAsLua(L, Buffer.from('[[[[[[1]]]]]]'), cfg)).to.throw('Found too many nested data structures (6) at character 6');
  });

  it('encodes numbers with %.14g, integers without a decimal point', () => {
    expect(vm.eval('cjson.encode({1, 3.0, 1/3, 1e15, 2^53, -0.0, 1e-7})')).to.equal('[1,3,0.33333333333333,1e+15,9.007199254741e+15,-0,1e-07]');
  });
});
