// ngx.log(level, ...) and the level constants. Arguments are concatenated without separator (nil,
// booleans and ngx.null spelled out, tables through __tostring) and go to the request's log sink
// with nginx's "[lua] <chunk>:<line>: " prefix.
import { lua, lauxlib, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import type { LogLevel } from '../exchange';
import { LUA_NULL } from '../../lua/marshal';
import { JSON_NULL } from '../../lua/compat';
import { decodeText, requireScope, toStringBytes, typeName } from './lua-util';

export const NGX_LOG_LEVELS: Readonly<Record<string, number>> = {
  STDERR: 0, EMERG: 1, ALERT: 2, CRIT: 3, ERR: 4, WARN: 5, NOTICE: 6, INFO: 7, DEBUG: 8,
};

/** nginx level number → log sink level. STDERR messages are always written by nginx: logged as errors. */
const SINK_LEVEL: readonly LogLevel[] = ['error', 'emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'];

/** The text ngx.log/print write for argument `i`; raises nginx's argument errors. */
function argumentText(L: LuaState, i: number): string {
  switch (lua.lua_type(L, i)) {
    case lua.LUA_TNIL: return 'nil';
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, i) ? 'true' : 'false';
    case lua.LUA_TSTRING: case lua.LUA_TNUMBER: return decodeText(toStringBytes(L, i));
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, i) === JSON_NULL || lua.lua_touserdata(L, i) === LUA_NULL) return 'null';
      break;
    case lua.LUA_TTABLE:
      if (lauxlib.luaL_getmetafield(L, i, toLuaString('__tostring')) === lua.LUA_TNIL) {
        return lauxlib.luaL_argerror(L, i, toLuaString('expected table to have __tostring metamethod'));
      }
      lua.lua_pop(L, 1);
      return decodeText(toStringBytes(L, i));
    default: break;
  }
  return lauxlib.luaL_argerror(L, i, toLuaString(`string, number, boolean, or nil expected, got ${typeName(L, i)}`));
}

export function ngxLog(engine: LuaEngine): LuaCFunction {
  return (L) => {
    const level = Math.trunc(lauxlib.luaL_checknumber(L, 1));
    if (level < 0 || level > 8) return lauxlib.luaL_argerror(L, 1, toLuaString(`bad log level: ${level}`));
    const top = lua.lua_gettop(L);
    let message = '';
    for (let i = 2; i <= top; i++) message += argumentText(L, i);
    lauxlib.luaL_where(L, 1);
    const where = decodeText(lua.lua_tolstring(L, -1) ?? new Uint8Array(0));
    lua.lua_pop(L, 1);
    const scope = requireScope(engine, L);
    scope.exchange.log.log(SINK_LEVEL[level], `[lua] ${where}${message}`, { source: 'ngx.log' });
    return 0;
  };
}
