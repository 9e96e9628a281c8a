// Attempts to leave Kong's sandbox. Each must fail with the expected error and leave no trace.
import { expect } from 'chai';
import { LuaHarness } from '../helpers/lua';
import { LuaRuntimeError } from '../../src/lua/errors';
import { lua, lauxlib, toLuaString } from '../../src/lua/fengari';

const KONG_STUB = `
kong = { request = { get_header = function(name) return "v" end }, version = "3.12.0.0" }
`;

function withKongTable(): LuaHarness {
  return new LuaHarness({ mode: 'sandbox' }, (engine) => {
    engine.defineGlobals((L) => {
      // A plain kong table built by real Lua code in the real globals, as the PDK builds its own.
      if (lauxlib.luaL_loadbufferx(L, toLuaString(KONG_STUB), null, toLuaString('=stub'), toLuaString('t')) !== lua.LUA_OK) {
        throw new Error(String(lua.lua_tojsstring(L, -1)));
      }
      lua.lua_call(L, 0, 0);
    });
  });
}

interface Attempt {
  readonly name: string;
  readonly code: string;
  /** Substring the error must contain; null when the code must run but achieve nothing. */
  readonly error: string | null;
}

const ATTEMPTS: Attempt[] = [
  { name: 'debug library', code: 'return debug.getinfo(1)', error: "attempt to index global 'debug' (a nil value)" },
  { name: 'debug.sethook to defeat the budget', code: 'debug.sethook()', error: "attempt to index global 'debug' (a nil value)" },
  { name: 'getmetatable of strings', code: 'return getmetatable("").__index', error: "attempt to call global 'getmetatable' (a nil value)" },
  { name: 'setmetatable', code: 'setmetatable(_G, nil)', error: "attempt to call global 'setmetatable' (a nil value)" },
  { name: 'rawset on a library', code: 'rawset(string, "x", 1)', error: "attempt to call global 'rawset' (a nil value)" },
  { name: 'rawget', code: 'return rawget(_G, "os")', error: "attempt to call global 'rawget' (a nil value)" },
  { name: 'rawequal', code: 'return rawequal(1, 1)', error: "attempt to call global 'rawequal' (a nil value)" },
  { name: 'string.dump', code: 'return string.dump(print)', error: "attempt to call field 'dump' (a nil value)" },
  { name: 'string.dump through a method call', code: 'return ("x"):dump()', error: "attempt to call method 'dump' (a nil value)" },
  { name: 'io.open', code: 'return io.open("/etc/passwd")', error: "attempt to call field 'open' (a nil value)" },
  { name: 'io.popen', code: 'return io.popen("id")', error: "attempt to call field 'popen' (a nil value)" },
  { name: 'io.read', code: 'return io.read()', error: "attempt to call field 'read' (a nil value)" },
  { name: 'io.write', code: 'io.write("x")', error: "attempt to call field 'write' (a nil value)" },
  { name: 'os.execute', code: 'os.execute("id")', error: "attempt to call field 'execute' (a nil value)" },
  { name: 'os.getenv', code: 'return os.getenv("HOME")', error: "attempt to call field 'getenv' (a nil value)" },
  { name: 'os.exit', code: 'os.exit(1)', error: "attempt to call field 'exit' (a nil value)" },
  { name: 'os.remove', code: 'os.remove("/tmp/x")', error: "attempt to call field 'remove' (a nil value)" },
  { name: 'os.rename', code: 'os.rename("/tmp/x", "/tmp/y")', error: "attempt to call field 'rename' (a nil value)" },
  { name: 'os.tmpname', code: 'return os.tmpname()', error: "attempt to call field 'tmpname' (a nil value)" },
  { name: 'load', code: 'return load("return 1")()', error: "attempt to call global 'load' (a nil value)" },
  { name: 'loadstring', code: 'return loadstring("return 1")()', error: "attempt to call global 'loadstring' (a nil value)" },
  { name: 'dofile', code: 'dofile("/etc/passwd")', error: "attempt to call global 'dofile' (a nil value)" },
  { name: 'loadfile', code: 'loadfile("/etc/passwd")', error: "attempt to call global 'loadfile' (a nil value)" },
  { name: 'bytecode via load', code: 'return load("\\27Lua")', error: "attempt to call global 'load' (a nil value)" },
  { name: 'require os', code: 'return require("os")', error: "require 'os' not allowed within sandbox" },
  { name: 'require debug', code: 'return require "debug"', error: "require 'debug' not allowed within sandbox" },
  { name: 'require cjson without the allow-list', code: 'return require("cjson")', error: "require 'cjson' not allowed within sandbox" },
  { name: 'require of a JS bridge', code: 'return require("js")', error: "require 'js' not allowed within sandbox" },
  { name: 'require of fengari-interop', code: 'return require("fengari-interop")', error: "require 'fengari-interop' not allowed within sandbox" },
  { name: 'require with a non-string', code: 'return require({})', error: 'not allowed within sandbox' },
  { name: 'package.loaded', code: 'return package.loaded', error: "attempt to index global 'package' (a nil value)" },
  { name: 'js global', code: 'return js.global', error: "attempt to index global 'js' (a nil value)" },
  { name: 'collectgarbage', code: 'collectgarbage()', error: "attempt to call global 'collectgarbage' (a nil value)" },
  { name: 'newproxy', code: 'return newproxy(true)', error: "attempt to call global 'newproxy' (a nil value)" },
  { name: 'setfenv', code: 'setfenv(1, {})', error: "attempt to call global 'setfenv' (a nil value)" },
  { name: 'getfenv', code: 'return getfenv(0)', error: "attempt to call global 'getfenv' (a nil value)" },
  { name: 'module', code: 'module("x")', error: "attempt to call global 'module' (a nil value)" },
  { name: 'writing a string function', code: 'string.x = 1', error: 'Cannot modify _G.string.x. Protected by the sandbox.' },
  { name: 'replacing string.rep', code: 'string.rep = nil', error: 'Cannot modify _G.string.rep. Protected by the sandbox.' },
  { name: 'replacing table.insert', code: 'table.insert = print', error: 'Cannot modify _G.table.insert. Protected by the sandbox.' },
  { name: 'replacing math.floor', code: 'math.floor = nil', error: 'Cannot modify _G.math.floor. Protected by the sandbox.' },
  { name: 'replacing coroutine.create', code: 'coroutine.create = nil', error: 'Cannot modify _G.coroutine.create. Protected by the sandbox.' },
  { name: 'writing jit.version', code: 'jit.version = "x"', error: 'Cannot modify _G.jit.version. Protected by the sandbox.' },
  { name: 'through _G', code: '_G.string.upper = nil', error: 'Cannot modify _G.string.upper. Protected by the sandbox.' },
  { name: 'through _ENV', code: '_ENV.os.time = nil', error: 'Cannot modify _G.os.time. Protected by the sandbox.' },
  { name: 'replacing a PDK function', code: 'kong.request.get_header = nil', error: 'Cannot modify kong.request.get_header. Protected by the sandbox.' },
  { name: 'adding to kong', code: 'kong.evil = true', error: 'Cannot modify kong.evil. Protected by the sandbox.' },
  { name: 'library write from a coroutine', code: 'coroutine.wrap(function() string.y = 1 end)()', error: 'Cannot modify _G.string.y. Protected by the sandbox.' },
  { name: 'library write from pcall', code: 'local ok, e = pcall(function() string.z = 1 end); error(e, 0)', error: 'Cannot modify _G.string.z. Protected by the sandbox.' },
  { name: 'indexing a string value to write', code: 'local s = "x"; s.field = 1', error: "attempt to index local 's' (a string value)" },
  { name: 'host errors are plain strings', code: 'local ok, e = pcall(string.rep); return type(e)', error: null },
  { name: 'pairs over a library yields only its functions', code: 'local n = 0; for k, v in pairs(string) do if type(v) ~= "function" then n = n + 1 end end; return n', error: null },
  { name: 'next on a frozen library finds nothing to corrupt', code: 'return next(string)', error: null },
  { name: 'globals stay in the chunk', code: '_VERSION = "hacked"; evil_global = true; _G.other = 1', error: null },
  { name: 'huge string.rep is refused', code: 'return string.rep("x", 2^31 - 1)', error: 'string length overflow' },
];

describe('01-lua sandbox escape attempts', () => {
  const harness = withKongTable();

  /** What an untouched sandbox looks like from a fresh chunk. */
  async function probe(): Promise<unknown[]> {
    return harness.run(`return string.x, string.y, string.z, type(string.rep), type(table.insert), type(math.floor),
      type(coroutine.create), jit.version, type(string.upper), type(os.time), type(kong.request.get_header), kong.evil,
      _VERSION, evil_global, other, type(require)`);
  }

  let pristine: unknown[];
  before(async () => {
    pristine = await probe();
  });

  it('has at least 40 attempts', () => {
    expect(ATTEMPTS.length).to.be.at.least(40);
  });

  for (const attempt of ATTEMPTS) {
    it(`blocks: ${attempt.name}`, async () => {
      if (attempt.error === null) {
        const result = await harness.run(attempt.code);
        if (attempt.name === 'host errors are plain strings') expect(result[0]).to.equal('string');
        if (attempt.name.startsWith('pairs over')) expect(result[0]).to.equal(0);
      } else {
        let caught: unknown = null;
        try {
          await harness.run(attempt.code);
        } catch (err) {
          caught = err;
        }
        expect(caught, 'the attempt must fail').to.be.instanceOf(LuaRuntimeError);
        expect((caught as Error).message).to.contain(attempt.error);
      }
      expect(await probe()).to.deep.equal(pristine);
    });
  }

  it('the pristine sandbox exposes the expected values', () => {
    expect(pristine).to.deep.equal([null, null, null, 'function', 'function', 'function', 'function',
      'LuaJIT 2.1.0-beta3', 'function', 'function', 'function', null, 'Lua 5.1', null, null, 'function']);
  });
});
