// os.time/os.date/os.difftime as LuaJIT: times are doubles (fengari's 32-bit integers would wrap
// os.time()*1000), table fields and timestamps are truncated rather than rejected.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { patchLibrary, raise } from './lua-helpers';
import { osDate } from './os-date';

function field(L: LuaState, key: string, def: number | undefined): number {
  const type = lua.lua_getfield(L, 1, toLuaString(key));
  let value: number | undefined;
  if (type === lua.LUA_TNUMBER || (type === lua.LUA_TSTRING && lua.lua_isnumber(L, -1))) value = Math.trunc(lua.lua_tonumber(L, -1));
  lua.lua_pop(L, 1);
  if (value === undefined) {
    if (def === undefined) return raise(L, `field '${key}' missing in date table`);
    return def;
  }
  return value;
}

const time: LuaCFunction = (L) => {
  if (lua.lua_isnoneornil(L, 1)) {
    lua.lua_pushnumber(L, Math.floor(Date.now() / 1000));
    return 1;
  }
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const sec = field(L, 'sec', 0);
  const min = field(L, 'min', 0);
  const hour = field(L, 'hour', 12);
  const day = field(L, 'day', undefined);
  const month = field(L, 'month', undefined);
  const year = field(L, 'year', undefined);
  // Local time like mktime(); setFullYear avoids Date's 0..99 => 19xx mapping.
  const d = new Date(2000, 0, 1, 0, 0, 0, 0);
  d.setFullYear(year, month - 1, day);
  d.setHours(hour, min, sec, 0);
  const ms = d.getTime();
  if (Number.isNaN(ms)) lua.lua_pushnil(L);
  else lua.lua_pushnumber(L, Math.floor(ms / 1000));
  return 1;
};

const difftime: LuaCFunction = (L) => {
  const t2 = Math.trunc(lauxlib.luaL_checknumber(L, 1));
  const t1 = lua.lua_isnoneornil(L, 2) ? 0 : Math.trunc(lauxlib.luaL_checknumber(L, 2));
  lua.lua_pushnumber(L, t2 - t1);
  return 1;
};

export function installOs(L: LuaState): void {
  patchLibrary(L, 'os', { time, difftime, date: osDate });
}
