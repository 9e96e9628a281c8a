// math.* as LuaJIT: the 5.1 functions fengari lacks, doubles everywhere (fengari's 32-bit integer
// results would wrap in later integer arithmetic), C fmod/modf, SSE-like max/min, LuaJIT's random.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { patchLibrary } from './lua-helpers';

const num = (L: LuaState, arg: number): number => lauxlib.luaL_checknumber(L, arg);

function unary(fn: (x: number) => number): LuaCFunction {
  return (L) => { lua.lua_pushnumber(L, fn(num(L, 1))); return 1; };
}
function binary(fn: (x: number, y: number) => number): LuaCFunction {
  return (L) => { lua.lua_pushnumber(L, fn(num(L, 1), num(L, 2))); return 1; };
}

const frexp: LuaCFunction = (L) => {
  const x = num(L, 1);
  if (x === 0 || !Number.isFinite(x)) {
    lua.lua_pushnumber(L, x);
    lua.lua_pushnumber(L, 0);
    return 2;
  }
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = ldexp(x, -e);
  // log2 can be off by one near powers of two; settle the mantissa into [0.5, 1).
  while (Math.abs(m) < 0.5) { m *= 2; e--; }
  while (Math.abs(m) >= 1) { m /= 2; e++; }
  lua.lua_pushnumber(L, m);
  lua.lua_pushnumber(L, e);
  return 2;
};

function ldexp(m: number, e: number): number {
  const exp = Math.trunc(e);
  // Split the scaling so intermediate powers of two neither overflow nor underflow.
  if (exp > 1023) return m * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) return m * 2 ** -1022 * 2 ** (exp + 1022);
  return m * 2 ** exp;
}

const modf: LuaCFunction = (L) => {
  const x = num(L, 1);
  const whole = Number.isFinite(x) ? Math.trunc(x) : x;
  let frac = Number.isNaN(x) ? NaN : Number.isFinite(x) ? x - whole : 0;
  if (frac === 0 && (x < 0 || Object.is(x, -0))) frac = -0;
  lua.lua_pushnumber(L, whole);
  lua.lua_pushnumber(L, frac);
  return 2;
};

const log: LuaCFunction = (L) => {
  const x = num(L, 1);
  if (lua.lua_isnoneornil(L, 2)) lua.lua_pushnumber(L, Math.log(x));
  else {
    const base = num(L, 2);
    lua.lua_pushnumber(L, base === 2 ? Math.log2(x) : base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base));
  }
  return 1;
};

function extreme(pick: (m: number, d: number) => number): LuaCFunction {
  return (L) => {
    let m = num(L, 1);
    const n = lua.lua_gettop(L);
    for (let i = 2; i <= n; i++) m = pick(m, num(L, i));
    lua.lua_pushnumber(L, m);
    return 1;
  };
}

const random: LuaCFunction = (L) => {
  const r = Math.random();
  const n = lua.lua_gettop(L);
  if (n === 0) lua.lua_pushnumber(L, r);
  else if (n === 1) lua.lua_pushnumber(L, Math.floor(r * num(L, 1)) + 1);
  else if (n === 2) {
    const lo = num(L, 1);
    lua.lua_pushnumber(L, Math.floor(r * (num(L, 2) - lo + 1)) + lo);
  } else return lauxlib.luaL_error(L, toLuaString('wrong number of arguments'));
  return 1;
};

const randomseed: LuaCFunction = (L) => { num(L, 1); return 0; };

export function installMath(L: LuaState): void {
  patchLibrary(L, 'math', {
    pow: binary((x, y) => x ** y),
    ldexp: binary(ldexp),
    frexp,
    cosh: unary(Math.cosh), sinh: unary(Math.sinh), tanh: unary(Math.tanh),
    log10: unary(Math.log10),
    atan2: binary(Math.atan2),
    atan: unary(Math.atan),
    log,
    fmod: binary((x, y) => x % y),
    modf,
    floor: unary(Math.floor),
    ceil: unary(Math.ceil),
    abs: unary(Math.abs),
    sqrt: unary(Math.sqrt),
    max: extreme((m, d) => (m > d ? m : d)),
    min: extreme((m, d) => (m < d ? m : d)),
    random,
    randomseed,
  });
  // Lua 5.3 additions LuaJIT does not have.
  lua.lua_getglobal(L, toLuaString('math'));
  for (const name of ['type', 'tointeger', 'ult', 'maxinteger', 'mininteger']) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, toLuaString(name));
  }
  lua.lua_pop(L, 1);
}
