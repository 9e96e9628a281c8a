// Header tables as kong.request.get_headers() returns them: lower-case keys, a repeated header is an
// array of its values, and a metatable whose __index retries a key lower-cased with `_` read as `-`
// (so `h.x_api_key`, `h["X-Api-Key"]` and `h["x-api-key"]` are the same field).
import { lua } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import { pushString } from '../lua/marshal';
import { textAt } from '../lua/strings';
import type { HeaderMap } from './exchange';
import { pushStringArray } from './lua-util';
import { BoundedMemo } from '../util/bounded-memo';

export const DEFAULT_MAX_HEADERS = 100;
const META_KEY = Object.freeze({ luagate: 'headers_mt' });

/** The key Kong's header tables fall back to: lower case, `_` read as `-`. */
export function normalizeHeaderKey(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

// Template field paths ask for the same few keys on every request: their normal forms are kept
// (bounded, as a path could in principle carry any key).
const normalizedKeys = new BoundedMemo<string, string>(1024);

/** normalizeHeaderKey, remembered for keys asked for again and again (template field paths). */
export function normalizedHeaderKey(name: string): string {
  return normalizedKeys.get(name, normalizeHeaderKey);
}

/** Lower-case name → values, in order, keeping at most `max` header lines (as nginx does). */
export function headerFields(map: HeaderMap, max: number): Array<[string, string[]]> {
  const fields = new Map<string, string[]>();
  let lines = 0;
  for (const [name, value] of map.entries()) {
    if (lines++ >= max) break;
    const key = name.toLowerCase();
    const values = fields.get(key);
    if (values) values.push(value);
    else fields.set(key, [value]);
  }
  return [...fields];
}


const normalizingIndex: LuaCFunction = (L) => {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) { lua.lua_pushnil(L); return 1; }
  const key = textAt(L, 2);
  const normalized = normalizeHeaderKey(key);
  if (normalized === key) { lua.lua_pushnil(L); return 1; }
  pushString(L, normalized);
  lua.lua_rawget(L, 1);
  return 1;
};

function pushHeadersMeta(L: LuaState): void {
  if (lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, META_KEY) === lua.LUA_TTABLE) return;
  lua.lua_pop(L, 1);
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushcfunction(L, normalizingIndex);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_pushvalue(L, -1);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, META_KEY);
}

export function pushHeadersTable(L: LuaState, fields: ReadonlyArray<readonly [string, readonly string[]]>): void {
  lua.lua_createtable(L, 0, fields.length);
  for (const [name, values] of fields) {
    pushString(L, name);
    if (values.length === 1) pushString(L, values[0]);
    else pushStringArray(L, values);
    lua.lua_rawset(L, -3);
  }
  pushHeadersMeta(L);
  lua.lua_setmetatable(L, -2);
}

/** First value of a header by a Kong-style name (case-insensitive, `_` may stand for `-`). */
export function firstHeader(map: HeaderMap, name: string): string | undefined {
  return map.get(name) ?? (name.includes('_') ? map.get(name.replace(/_/g, '-')) : undefined);
}
