// The one place fengari is loaded. Its configuration is read when its modules load, so it must be
// set before anything requires 'fengari': integral floats print without ".0" (as LuaJIT) and
// numbers print with "%.14g". defs.js must load before luaconf.js (they require each other).
import { formatNumberG } from './compat/fast-number';

process.env.FENGARICONF = JSON.stringify({ LUA_COMPAT_FLOATSTRING: true });
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('fengari/src/defs.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const luaconf = require('fengari/src/luaconf.js') as typeof import('fengari/src/luaconf.js');
luaconf.lua_number2str = (n: number): string => formatNumberG(n, 14);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = require('fengari') as typeof import('fengari');

export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;
export const toLuaString = fengari.to_luastring;
export const limits = luaconf.luagate_limits;
export type { LuaState, LuaCFunction, LuaString } from 'fengari';
