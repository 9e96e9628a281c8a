// Short strings crossing between JS and Lua, the commonest host operation (table keys, header
// names, PDK arguments). fengari's own path copies bytes into a new Lua string on every push and
// decodes bytes on every read; here a short JS string is turned into a Lua string once and reused
// (Lua strings are immutable values, and its table-key hash is cached on it), and a Lua string's
// JS text is cached on the string itself (the `text` slot of our fengari patch).
import { lua } from './fengari';
import type { LuaState } from './fengari';
import { slotAt } from './stack';

interface LuaStringObject {
  readonly realstring: Uint8Array;
  text: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lstring = require('fengari/src/lstring.js') as { luaS_bless(L: LuaState, bytes: Uint8Array): LuaStringObject };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lobject = require('fengari/src/lobject.js') as { pushsvalue2s(L: LuaState, ts: LuaStringObject): void };

/** Strings up to this length are interned on push and have their text cached on read. */
const SHORT = 40;
const TEXT_CACHE_MAX_BYTES = 256;
/** Distinct interned strings kept; past it the table starts over (values like ids churn it). */
const INTERN_LIMIT = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });
const interned = new Map<string, LuaStringObject>();

function bytesOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return encoder.encode(s);
    out[i] = c;
  }
  return out;
}

/** Pushes a JS string as a Lua string (UTF-8 bytes). */
export function pushText(L: LuaState, s: string): void {
  if (s.length > SHORT) {
    lua.lua_pushstring(L, encoder.encode(s));
    return;
  }
  let ts = interned.get(s);
  if (ts === undefined) {
    if (interned.size >= INTERN_LIMIT) interned.clear();
    ts = lstring.luaS_bless(L, bytesOf(s));
    ts.text = s;
    interned.set(s, ts);
  }
  lobject.pushsvalue2s(L, ts);
}

/** Pushes a JS string without interning it: for values that rarely repeat (numbers as text). */
export function pushFreshText(L: LuaState, s: string): void {
  const ts = lstring.luaS_bless(L, bytesOf(s));
  if (s.length <= SHORT) ts.text = s;
  lobject.pushsvalue2s(L, ts);
}

function decode(bytes: Uint8Array): string {
  if (bytes.length > 16) return decoder.decode(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b > 127) return decoder.decode(bytes);
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * The text of the Lua string at stack index `idx` (lenient UTF-8). The caller has checked that
 * the value there is a string (lua_type === LUA_TSTRING) and that `idx` is a stack index.
 */
export function textAt(L: LuaState, idx: number): string {
  return textOfString((slotAt(L, idx) as { value: LuaStringObject }).value);
}

/** The text of a Lua string object (a string slot's value), cached on it when short. */
export function textOfString(value: unknown): string {
  const ts = value as LuaStringObject;
  const cached = ts.text;
  if (cached !== null) return cached;
  const bytes = ts.realstring;
  const text = decode(bytes);
  if (bytes.length <= TEXT_CACHE_MAX_BYTES) ts.text = text;
  return text;
}

/** lua_getfield with an interned key: pushes t[name] of the table at `idx` (metamethods apply). */
export function getField(L: LuaState, idx: number, name: string): number {
  const t = lua.lua_absindex(L, idx);
  pushText(L, name);
  return lua.lua_gettable(L, t);
}

/** lua_setfield with an interned key: t[name] = the value on top of the stack (popped). */
export function setField(L: LuaState, idx: number, name: string): void {
  const t = lua.lua_absindex(L, idx);
  pushText(L, name);
  lua.lua_insert(L, -2);
  lua.lua_settable(L, t);
}
