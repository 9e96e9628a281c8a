// string.format as LuaJIT 2.1 implements it. The format string is parsed once and the result is
// memoised (by Lua string object, then by content), because snippets call format on every request.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { formatNumberG } from './fast-number';
import { bytesToLatin1, latin1ToBytes, raise, toInt32Trunc } from './lua-helpers';
import {
  FormatSpec, formatFloat, formatHexFloat, formatSigned, formatUnsigned, padText,
} from './printf-numbers';
import { BoundedMemo } from '../../util/bounded-memo';

type Segment = string | FormatSpec | { error: string };
const FLAGS = '-+ #0';
const CONVERSIONS = 'diouxXcsqaAeEfFgGp';
const MAX_MEMO = 2000;

const byObject = new WeakMap<Uint8Array, Segment[]>();
const byContent = new BoundedMemo<string, Segment[]>(MAX_MEMO);

/** Splits a format string into literal text and conversion specs; a bad spec ends the list. */
export function parseFormat(fmt: string): Segment[] {
  const out: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i++];
    if (ch !== '%') { literal += ch; continue; }
    if (fmt[i] === '%') { literal += '%'; i++; continue; }
    if (literal) { out.push(literal); literal = ''; }
    const start = i - 1;
    const spec: FormatSpec = { minus: false, plus: false, space: false, hash: false, zero: false, width: -1, precision: -1, conversion: '' };
    while (i < fmt.length && FLAGS.includes(fmt[i])) {
      const f = fmt[i++];
      if (f === '-') spec.minus = true; else if (f === '+') spec.plus = true; else if (f === ' ') spec.space = true;
      else if (f === '#') spec.hash = true; else spec.zero = true;
    }
    const digits = (): number => {
      let value = -1;
      for (let n = 0; n < 2 && i < fmt.length && fmt[i] >= '0' && fmt[i] <= '9'; n++) value = (value < 0 ? 0 : value * 10) + Number(fmt[i++]);
      return value;
    };
    spec.width = digits();
    if (fmt[i] === '.') { i++; spec.precision = Math.max(0, digits()); }
    const conversion = fmt[i++];
    if (conversion === undefined || !CONVERSIONS.includes(conversion)) {
      out.push({ error: `invalid option '${fmt.slice(start, Math.min(i, fmt.length))}' to 'format'` });
      return out;
    }
    spec.conversion = conversion;
    out.push(spec);
  }
  if (literal) out.push(literal);
  return out;
}

function segmentsFor(fmtBytes: Uint8Array): Segment[] {
  let segments = byObject.get(fmtBytes);
  if (segments) return segments;
  const key = bytesToLatin1(fmtBytes);
  segments = byContent.get(key, parseFormat);
  byObject.set(fmtBytes, segments);
  return segments;
}

function checkNumber(L: LuaState, arg: number): number {
  if (lua.lua_type(L, arg) === lua.LUA_TNUMBER) return lua.lua_tonumber(L, arg);
  return lauxlib.luaL_checknumber(L, arg);
}

/** tostring() of any value as LuaJIT: numbers with %.14g, __tostring honoured. */
function tostringBytes(L: LuaState, arg: number): string {
  const type = lua.lua_type(L, arg);
  if (type === lua.LUA_TSTRING) return bytesToLatin1(lua.lua_tolstring(L, arg)!);
  if (type === lua.LUA_TNUMBER) return formatNumberG(lua.lua_tonumber(L, arg), 14);
  const s = bytesToLatin1(lauxlib.luaL_tolstring(L, arg));
  lua.lua_pop(L, 1);
  return s;
}

function quoted(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92) out += '\\' + text[i];
    else if (c === 10) out += '\\\n';
    else if (c < 32 || c === 127) {
      const next = text.charCodeAt(i + 1);
      out += '\\' + (next >= 48 && next <= 57 ? String(c).padStart(3, '0') : String(c));
    } else out += text[i];
  }
  return out + '"';
}

function convert(L: LuaState, spec: FormatSpec, arg: number): string {
  switch (spec.conversion) {
    case 'd': case 'i': return formatSigned(checkNumber(L, arg), spec);
    case 'o': case 'u': case 'x': case 'X': return formatUnsigned(checkNumber(L, arg), spec);
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': return formatFloat(checkNumber(L, arg), spec);
    case 'a': case 'A': return formatHexFloat(checkNumber(L, arg), spec);
    case 'c': return padText(spec, String.fromCharCode(toInt32Trunc(checkNumber(L, arg)) & 0xff));
    case 'q': return quoted(tostringBytes(L, arg));
    case 'p': return padText(spec, pointerText(L, arg));
    default: {
      const text = tostringBytes(L, arg);
      if (spec.width < 0 && spec.precision < 0) return text;
      return padText(spec, spec.precision >= 0 ? text.slice(0, spec.precision) : text);
    }
  }
}

function pointerText(L: LuaState, arg: number): string {
  const t = lua.lua_type(L, arg);
  if (t !== lua.LUA_TTABLE && t !== lua.LUA_TFUNCTION && t !== lua.LUA_TTHREAD && t !== lua.LUA_TUSERDATA) return 'NULL';
  const s = tostringBytes(L, arg);
  return s.slice(s.indexOf(':') + 2);
}

export const stringFormat: LuaCFunction = (L) => {
  const segments = segmentsFor(lauxlib.luaL_checklstring(L, 1));
  const top = lua.lua_gettop(L);
  let arg = 1;
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'string') { out += seg; continue; }
    if ('error' in seg) return raise(L, seg.error);
    if (++arg > top) return lauxlib.luaL_argerror(L, arg, toLuaString('value expected'));
    out += convert(L, seg, arg);
  }
  lua.lua_pushstring(L, latin1ToBytes(out));
  return 1;
};
