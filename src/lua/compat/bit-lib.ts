// LuaJIT's bit library: 32-bit signed results; arguments are normalised the way LuaJIT does it
// (adding 2^52+2^51 and keeping the low word), which rounds non-integers half to even.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { setFunctions } from './lua-helpers';

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** bit.tobit() of a double, exactly as LuaJIT computes it. */
export function toBit(n: number): number {
  if ((n | 0) === n) return n;
  f64[0] = n + 6755399441055744.0;
  return i32[LOW];
}

function arg(L: LuaState, i: number): number {
  return toBit(lauxlib.luaL_checknumber(L, i));
}

function variadic(op: (a: number, b: number) => number): LuaCFunction {
  return (L) => {
    let r = arg(L, 1);
    const n = lua.lua_gettop(L);
    for (let i = 2; i <= n; i++) r = op(r, arg(L, i));
    lua.lua_pushnumber(L, r);
    return 1;
  };
}

function shift(op: (a: number, s: number) => number): LuaCFunction {
  return (L) => {
    lua.lua_pushnumber(L, op(arg(L, 1), arg(L, 2) & 31) | 0);
    return 1;
  };
}

/** tohex(x, n): n digits (default 8), upper case when n < 0; beyond 8 digits x is zero-extended. */
const tohex: LuaCFunction = (L) => {
  const x = arg(L, 1);
  let n = lua.lua_isnoneornil(L, 2) ? 8 : arg(L, 2);
  let upper = false;
  if (n < 0) { n = -n; upper = true; }
  n = Math.min(n, 256);
  let s = (x >>> 0).toString(16);
  s = s.length >= n ? s.slice(s.length - n) : s.padStart(n, '0');
  lua.lua_pushstring(L, toLuaString(upper ? s.toUpperCase() : s));
  return 1;
};

export function openBit(L: LuaState): void {
  lua.lua_createtable(L, 0, 12);
  setFunctions(L, {
    tobit: (L2) => { lua.lua_pushnumber(L2, arg(L2, 1)); return 1; },
    bnot: (L2) => { lua.lua_pushnumber(L2, ~arg(L2, 1)); return 1; },
    bswap: (L2) => {
      const x = arg(L2, 1);
      lua.lua_pushnumber(L2, ((x << 24) | ((x << 8) & 0xff0000) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0);
      return 1;
    },
    band: variadic((a, b) => a & b),
    bor: variadic((a, b) => a | b),
    bxor: variadic((a, b) => a ^ b),
    lshift: shift((a, s) => a << s),
    rshift: shift((a, s) => a >>> s),
    arshift: shift((a, s) => a >> s),
    rol: shift((a, s) => (a << s) | (a >>> (32 - s))),
    ror: shift((a, s) => (a >>> s) | (a << (32 - s))),
    tohex,
  });
}

export function installBit(L: LuaState): void {
  openBit(L);
  lua.lua_setglobal(L, toLuaString('bit'));
}
