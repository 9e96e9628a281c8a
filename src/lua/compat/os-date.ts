// os.date as LuaJIT (C strftime in the C locale): timestamps are truncated doubles, '!' means UTC,
// "*t" tables carry isdst. fengari's strftime miscounts %j and rejects 64-bit times.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaCFunction } from '../fengari';
import { bytesToLatin1, latin1ToBytes } from './lua-helpers';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface Parts { year: number; month: number; day: number; hour: number; min: number; sec: number; wday: number; yday: number; offsetMin: number; utc: boolean; epoch: number }

function partsOf(epochSeconds: number, utc: boolean): Parts {
  const d = new Date(epochSeconds * 1000);
  const get = utc
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth(), da: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), w: d.getUTCDay() }
    : { y: d.getFullYear(), mo: d.getMonth(), da: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), w: d.getDay() };
  const yday = Math.round((Date.UTC(get.y, get.mo, get.da) - Date.UTC(get.y, 0, 1)) / 86400000) + 1;
  return { year: get.y, month: get.mo + 1, day: get.da, hour: get.h, min: get.mi, sec: get.s, wday: get.w, yday, offsetMin: utc ? 0 : -d.getTimezoneOffset(), utc, epoch: epochSeconds };
}

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

/** ISO 8601 week number and week-based year. */
function isoWeek(p: Parts): [number, number] {
  const wdayMon = (p.wday + 6) % 7;           // Monday = 0
  const thursdayYday = p.yday - wdayMon + 3;   // yday of this week's Thursday
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (thursdayYday < 1) {
    const prevDays = leap(p.year - 1) ? 366 : 365;
    return [p.year - 1, Math.floor((thursdayYday + prevDays - 1) / 7) + 1];
  }
  const days = leap(p.year) ? 366 : 365;
  if (thursdayYday > days) return [p.year + 1, 1];
  return [p.year, Math.floor((thursdayYday - 1) / 7) + 1];
}

function conversion(c: string, p: Parts): string {
  switch (c) {
    case 'a': return DAYS[p.wday].slice(0, 3);
    case 'A': return DAYS[p.wday];
    case 'b': case 'h': return MONTHS[p.month - 1].slice(0, 3);
    case 'B': return MONTHS[p.month - 1];
    case 'c': return `${conversion('a', p)} ${conversion('b', p)} ${pad(p.day, 2, ' ')} ${conversion('T', p)} ${p.year}`;
    case 'C': return pad(Math.floor(p.year / 100), 2);
    case 'd': return pad(p.day, 2);
    case 'D': case 'x': return `${pad(p.month, 2)}/${pad(p.day, 2)}/${pad(p.year % 100, 2)}`;
    case 'e': return pad(p.day, 2, ' ');
    case 'F': return `${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}`;
    case 'g': return pad(isoWeek(p)[0] % 100, 2);
    case 'G': return String(isoWeek(p)[0]);
    case 'H': return pad(p.hour, 2);
    case 'I': return pad(p.hour % 12 === 0 ? 12 : p.hour % 12, 2);
    case 'j': return pad(p.yday, 3);
    case 'k': return pad(p.hour, 2, ' ');
    case 'l': return pad(p.hour % 12 === 0 ? 12 : p.hour % 12, 2, ' ');
    case 'm': return pad(p.month, 2);
    case 'M': return pad(p.min, 2);
    case 'n': return '\n';
    case 'p': return p.hour < 12 ? 'AM' : 'PM';
    case 'P': return p.hour < 12 ? 'am' : 'pm';
    case 'r': return `${conversion('I', p)}:${pad(p.min, 2)}:${pad(p.sec, 2)} ${conversion('p', p)}`;
    case 'R': return `${pad(p.hour, 2)}:${pad(p.min, 2)}`;
    case 's': return String(p.epoch);
    case 'S': return pad(p.sec, 2);
    case 't': return '\t';
    case 'T': case 'X': return `${pad(p.hour, 2)}:${pad(p.min, 2)}:${pad(p.sec, 2)}`;
    case 'u': return String(p.wday === 0 ? 7 : p.wday);
    case 'U': return pad(Math.floor((p.yday - 1 + 7 - p.wday) / 7), 2);
    case 'V': return pad(isoWeek(p)[1], 2);
    case 'w': return String(p.wday);
    case 'W': return pad(Math.floor((p.yday - 1 + 7 - ((p.wday + 6) % 7)) / 7), 2);
    case 'y': return pad(p.year % 100, 2);
    case 'Y': return String(p.year);
    case 'z': {
      const m = Math.abs(p.offsetMin);
      return `${p.offsetMin < 0 ? '-' : '+'}${pad(Math.floor(m / 60), 2)}${pad(m % 60, 2)}`;
    }
    case 'Z': return p.utc ? 'GMT' : (Intl.DateTimeFormat().resolvedOptions().timeZone === 'UTC' ? 'UTC' : '');
    case '%': return '%';
    default: return '%' + c;
  }
}

export function strftime(format: string, p: Parts): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%' || i + 1 >= format.length) { out += ch; continue; }
    out += conversion(format[++i], p);
  }
  return out;
}

export const osDate: LuaCFunction = (L) => {
  let format = bytesToLatin1(lauxlib.luaL_optlstring(L, 1, toLuaString('%c'))!);
  const t = lua.lua_isnoneornil(L, 2) ? Math.floor(Date.now() / 1000) : Math.trunc(lauxlib.luaL_checknumber(L, 2));
  const utc = format.startsWith('!');
  if (utc) format = format.slice(1);
  const p = partsOf(t, utc);
  if (Number.isNaN(p.year)) { lua.lua_pushnil(L); return 1; }
  if (format.startsWith('*t')) {
    lua.lua_createtable(L, 0, 9);
    for (const [k, v] of [['year', p.year], ['month', p.month], ['day', p.day], ['hour', p.hour], ['min', p.min],
      ['sec', p.sec], ['wday', p.wday + 1], ['yday', p.yday]] as const) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, toLuaString(k));
    }
    lua.lua_pushboolean(L, false);
    lua.lua_setfield(L, -2, toLuaString('isdst'));
    return 1;
  }
  lua.lua_pushstring(L, latin1ToBytes(strftime(format, p)));
  return 1;
};
