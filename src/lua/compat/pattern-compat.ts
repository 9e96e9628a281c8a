// Pattern functions where LuaJIT (5.1 rules) and fengari (5.3 rules) disagree:
// - gsub replacement strings: "%x" with x not a digit means a literal x in 5.1, an error in 5.3;
// - an invalid capture index reads "invalid capture index" in LuaJIT, "... %2 ..." in 5.3.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';

const PERCENT = 37;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function hasPercentDigit(s: Uint8Array | null): boolean {
  if (!s) return false;
  for (let i = 0; i + 1 < s.length; i++) if (s[i] === PERCENT && isDigit(s[i + 1])) return true;
  return false;
}

/** Rewrites a 5.1 replacement string into the 5.3 equivalent, or returns null when already equal. */
export function replacementFor53(repl: Uint8Array): Uint8Array | null {
  let needed = false;
  for (let i = 0; i < repl.length; i++) {
    if (repl[i] !== PERCENT) continue;
    const n = repl[i + 1];
    if (n === undefined || (!isDigit(n) && n !== PERCENT)) { needed = true; break; }
    i++;
  }
  if (!needed) return null;
  const out: number[] = [];
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c !== PERCENT) { out.push(c); continue; }
    const n = repl[i + 1];
    if (n === undefined) out.push(0);
    else if (isDigit(n) || n === PERCENT) out.push(c, n);
    else out.push(n);
    i++;
  }
  return Uint8Array.from(out);
}

const LIBRARY_ERROR = /^(invalid capture index|malformed pattern|invalid pattern capture|unfinished capture|missing '\[' after|pattern too complex)/;
const CAPTURE_INDEX = /invalid capture index %\d+( in replacement string)?/;

/** Runs `original` under a protected call only when a capture reference could fail. */
function withLuaJitCaptureErrors(L: LuaState, original: LuaCFunction, mayFail: boolean): number {
  if (!mayFail) return original(L);
  const nargs = lua.lua_gettop(L);
  lua.lua_pushcfunction(L, original);
  lua.lua_insert(L, 1);
  if (lua.lua_pcall(L, nargs, lua.LUA_MULTRET, 0) === lua.LUA_OK) return lua.lua_gettop(L);
  const message = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : null;
  if (message !== null && LIBRARY_ERROR.test(message)) {
    // Raised inside the protected call, the message lacks the caller's position: add it back.
    lauxlib.luaL_where(L, 1);
    lua.lua_pushstring(L, toLuaString(message.replace(CAPTURE_INDEX, 'invalid capture index')));
    lua.lua_concat(L, 2);
  }
  return lua.lua_error(L);
}

export function luaJitGsub(original: LuaCFunction): LuaCFunction {
  return (L) => {
    let replCheck = false;
    if (lua.lua_type(L, 3) === lua.LUA_TSTRING) {
      const repl = lua.lua_tolstring(L, 3)!;
      const fixed = replacementFor53(repl);
      if (fixed) { lua.lua_pushstring(L, fixed); lua.lua_replace(L, 3); }
      replCheck = hasPercentDigit(fixed ?? repl);
    }
    return withLuaJitCaptureErrors(L, original, replCheck || hasPercentDigit(lua.lua_tolstring(L, 2)));
  };
}

export function luaJitCaptureErrors(original: LuaCFunction): LuaCFunction {
  return (L) => withLuaJitCaptureErrors(L, original, hasPercentDigit(lua.lua_type(L, 2) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 2) : null));
}
