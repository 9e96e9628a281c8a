// ngx.time/now/today/localtime/utctime/update_time and the HTTP date helpers. Like nginx, the
// clock is cached: every call within one event-loop turn sees the same time unless
// ngx.update_time() refreshes it.
import { lua } from '../../lua/fengari';
import type { LuaCFunction } from '../../lua/fengari';
import { decodeText, pushText, raise } from './lua-util';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let cachedMs: number | null = null;

/** Milliseconds since the epoch, cached until the current event-loop turn ends. */
export function cachedNowMs(): number {
  if (cachedMs === null) {
    cachedMs = Date.now();
    setImmediate(() => { cachedMs = null; });
  }
  return cachedMs;
}

function refresh(): void {
  if (cachedMs === null) cachedNowMs();
  else cachedMs = Date.now();
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `Thu, 18 Nov 2010 11:27:35 GMT` */
export function httpTime(seconds: number): string {
  const d = new Date(Math.trunc(seconds) * 1000);
  return `${WEEKDAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} `
    + `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`;
}

/** `Thu, 18-Nov-10 11:27:35 GMT`; nginx switches to a 4-digit year after 2037. */
export function cookieTime(seconds: number): string {
  const d = new Date(Math.trunc(seconds) * 1000);
  const year = d.getUTCFullYear();
  const shownYear = year > 2037 ? String(year) : pad2(year % 100);
  return `${WEEKDAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${shownYear} `
    + `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`;
}

const RFC822 = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: GMT)?$/;
const RFC850 = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: GMT)?$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** nginx's ngx_parse_http_time: RFC 822/1123, RFC 850 and asctime forms; null when unparseable. */
export function parseHttpTime(text: string): number | null {
  let day: number, month: string, year: number, hh: number, mm: number, ss: number;
  let m = RFC822.exec(text);
  if (m) {
    [day, month, year, hh, mm, ss] = [Number(m[1]), m[2], Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  } else if ((m = RFC850.exec(text))) {
    const yy = Number(m[3]);
    [day, month, year, hh, mm, ss] = [Number(m[1]), m[2], yy < 70 ? 2000 + yy : 1900 + yy, Number(m[4]), Number(m[5]), Number(m[6])];
  } else if ((m = ASCTIME.exec(text))) {
    [month, day, hh, mm, ss, year] = [m[1], Number(m[2].trim()), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  } else {
    return null;
  }
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0 || hh > 23 || mm > 59 || ss > 59 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return Date.UTC(year, monthIndex, day, hh, mm, ss) / 1000;
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

function localClock(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

const time: LuaCFunction = (L) => {
  lua.lua_pushnumber(L, Math.floor(cachedNowMs() / 1000));
  return 1;
};

const now: LuaCFunction = (L) => {
  lua.lua_pushnumber(L, Math.floor(cachedNowMs()) / 1000);
  return 1;
};

const update_time: LuaCFunction = () => {
  refresh();
  return 0;
};

const today: LuaCFunction = (L) => {
  pushText(L, localDate(new Date(cachedNowMs())));
  return 1;
};

const localtime: LuaCFunction = (L) => {
  const d = new Date(cachedNowMs());
  pushText(L, `${localDate(d)} ${localClock(d)}`);
  return 1;
};

const utctime: LuaCFunction = (L) => {
  pushText(L, new Date(cachedNowMs()).toISOString().slice(0, 19).replace('T', ' '));
  return 1;
};

function checkSeconds(L: Parameters<LuaCFunction>[0]): number {
  if (lua.lua_type(L, 1) !== lua.LUA_TNUMBER) return raise(L, 'number argument only');
  return lua.lua_tonumber(L, 1);
}

const http_time: LuaCFunction = (L) => {
  pushText(L, httpTime(checkSeconds(L)));
  return 1;
};

const cookie_time: LuaCFunction = (L) => {
  pushText(L, cookieTime(checkSeconds(L)));
  return 1;
};

const parse_http_time: LuaCFunction = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, 'string argument only');
  const seconds = parseHttpTime(decodeText(lua.lua_tolstring(L, 1) as Uint8Array));
  if (seconds === null) lua.lua_pushnil(L);
  else lua.lua_pushnumber(L, seconds);
  return 1;
};

export const timeFunctions: Readonly<Record<string, LuaCFunction>> = {
  time, now, update_time, today, localtime, utctime, http_time, cookie_time, parse_http_time,
};
