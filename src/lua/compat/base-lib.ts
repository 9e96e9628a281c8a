// LuaJIT 2.1 base functions missing or different in fengari: unpack, select, tonumber, loadstring,
// collectgarbage, _VERSION and the jit table.
import { lua, lauxlib, toLuaString } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { checkInt, bytesToLatin1, getLibraryFunction, raise, setFunctions } from './lua-helpers';
import { readsTablesRaw } from './raw-readers';
import { scanInteger, scanLuaNumber } from './number-scan';
import { formatNumberG } from './fast-number';
import { pushFreshText } from '../strings';

export interface LoadstringOptions {
  /**
   * Pushes the table a loadstring'ed chunk reads unknown globals from. Default: the caller's _ENV
   * (so the loaded code sees the caller's globals, as in LuaJIT), else the global table.
   */
  pushBase?: (L: LuaState) => void;
  /** Rewrites chunk source before compiling (the engine's integer-literal floatify). */
  transformSource?: (source: Uint8Array) => Uint8Array;
}

/** unpack(t, i, j) with raw access and truncated bounds, as LuaJIT. */
export const unpack: LuaCFunction = (L) => {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const first = lua.lua_isnoneornil(L, 2) ? 1 : checkInt(L, 2);
  const last = lua.lua_isnoneornil(L, 3) ? lua.lua_rawlen(L, 1) : checkInt(L, 3);
  if (first > last) return 0;
  const count = last - first + 1;
  if (count >= 0x7fffffff || !lua.lua_checkstack(L, count)) return raise(L, 'too many results to unpack');
  for (let i = first; i <= last; i++) lua.lua_rawgeti(L, 1, i);
  return count;
};

const select: LuaCFunction = (L) => {
  const top = lua.lua_gettop(L);
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING && lua.lua_tolstring(L, 1)![0] === 35 /* '#' */) {
    lua.lua_pushnumber(L, top - 1);
    return 1;
  }
  let n = checkInt(L, 1);
  if (n < 0) n = top + n;
  else if (n > top - 1) n = top;
  if (n < 1) return lauxlib.luaL_argerror(L, 1, toLuaString('index out of range'));
  return top - n;
};

/** error(v, level): LuaJIT also prefixes numbers with the position (5.3 only strings). */
const error: LuaCFunction = (L) => {
  const level = lua.lua_isnoneornil(L, 2) ? 1 : checkInt(L, 2);
  lua.lua_settop(L, 1);
  if (lua.lua_isstring(L, 1) && level > 0) {
    lauxlib.luaL_where(L, level);
    lua.lua_pushvalue(L, 1);
    lua.lua_concat(L, 2);
  }
  return lua.lua_error(L);
};

const tonumber: LuaCFunction = (L) => {
  if (lua.lua_isnoneornil(L, 2)) {
    lauxlib.luaL_checkany(L, 1);
    return pushScanned(L, scanArgument(L));
  }
  const base = checkInt(L, 2);
  if (base === 10) {
    lauxlib.luaL_checkany(L, 1);
    return pushScanned(L, scanArgument(L));
  }
  const text = bytesToLatin1(lauxlib.luaL_checklstring(L, 1));
  if (base < 2 || base > 36) return lauxlib.luaL_argerror(L, 2, toLuaString('base out of range'));
  return pushScanned(L, scanInteger(text, base));
};

function scanArgument(L: LuaState): number | undefined {
  const type = lua.lua_type(L, 1);
  if (type === lua.LUA_TNUMBER) return lua.lua_tonumber(L, 1);
  if (type === lua.LUA_TSTRING) return scanLuaNumber(bytesToLatin1(lua.lua_tolstring(L, 1)!));
  return undefined;
}

function pushScanned(L: LuaState, n: number | undefined): number {
  if (n === undefined) lua.lua_pushnil(L);
  else lua.lua_pushnumber(L, n);
  return 1;
}

interface DebugApi {
  lua_Debug: new () => object;
  lua_getstack(L: LuaState, level: number, ar: object): boolean;
  lua_getlocal(L: LuaState, ar: object, n: number): Uint8Array | null;
  lua_getinfo(L: LuaState, what: Uint8Array, ar: object): boolean;
}
const debugApi = lua as unknown as DebugApi;
const ENV_NAME = '_ENV';
const isEnvName = (name: Uint8Array | null): boolean => name !== null && bytesToLatin1(name) === ENV_NAME;

/** Pushes the _ENV of the Lua function calling us (a local or an upvalue); false when there is none. */
function pushCallerEnv(L: LuaState): boolean {
  const ar = new debugApi.lua_Debug();
  if (!debugApi.lua_getstack(L, 1, ar)) return false;
  for (let n = 1; ; n++) {
    const name = debugApi.lua_getlocal(L, ar, n);
    if (name === null) break;
    if (isEnvName(name)) return true;
    lua.lua_pop(L, 1);
  }
  debugApi.lua_getinfo(L, toLuaString('f'), ar);
  for (let i = 1; ; i++) {
    const name = lua.lua_getupvalue(L, -1, i);
    if (name === null) break;
    if (isEnvName(name)) { lua.lua_remove(L, -2); return true; }
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return false;
}

function makeLoadstring(options: LoadstringOptions): LuaCFunction {
  const pushBase = options.pushBase ?? ((L: LuaState) => {
    if (!pushCallerEnv(L)) lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  });
  return (L) => {
    const source = lauxlib.luaL_checklstring(L, 1);
    const chunkName = lauxlib.luaL_optlstring(L, 2, source)!;
    const text = options.transformSource ? options.transformSource(source) : source;
    const status = lauxlib.luaL_loadbufferx(L, text, text.length, chunkName, toLuaString('t'));
    if (status !== lua.LUA_OK) {
      lua.lua_pushnil(L);
      lua.lua_insert(L, -2);
      return 2;
    }
    // A fresh environment per loaded chunk: reads fall through to the base, writes stay local.
    lua.lua_createtable(L, 0, 0);
    lua.lua_createtable(L, 0, 1);
    pushBase(L);
    lua.lua_setfield(L, -2, toLuaString('__index'));
    lua.lua_setmetatable(L, -2);
    lua.lua_setupvalue(L, -2, 1);
    return 1;
  };
}

/**
 * tostring: a number is formatted here ("%.14g", as LuaJIT) and pushed directly; fengari's path
 * interprets a format string and copies the bytes twice. Numbers have no metatable a snippet can
 * reach (no debug library), so there is no __tostring to honour. The rest goes to fengari's.
 */
function fastTostring(fallback: LuaCFunction): LuaCFunction {
  return (L) => {
    if (lua.lua_type(L, 1) !== lua.LUA_TNUMBER) return fallback(L);
    pushFreshText(L, formatNumberG(lua.lua_tonumber(L, 1), 14));
    return 1;
  };
}

const GC_OPTIONS = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul', 'isrunning'];

/** fengari has no collector control; answer as LuaJIT would for an idle collector. */
const collectgarbage: LuaCFunction = (L) => {
  const option = lua.lua_isnoneornil(L, 1) ? 'collect' : bytesToLatin1(lauxlib.luaL_checklstring(L, 1));
  if (!GC_OPTIONS.includes(option)) return lauxlib.luaL_argerror(L, 1, toLuaString(`invalid option '${option}'`));
  switch (option) {
    case 'count': lua.lua_pushnumber(L, process.memoryUsage().heapUsed / 1024); break;
    case 'step': lua.lua_pushboolean(L, false); break;
    case 'isrunning': lua.lua_pushboolean(L, true); break;
    case 'setpause': case 'setstepmul': lua.lua_pushnumber(L, 200); break;
    default: lua.lua_pushnumber(L, 0);
  }
  return 1;
};

const jitNoop: LuaCFunction = () => 0;
const jitStatus: LuaCFunction = (L) => { lua.lua_pushboolean(L, true); return 1; };

export function installBase(L: LuaState, options: LoadstringOptions): void {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  setFunctions(L, {
    unpack: readsTablesRaw(unpack, 1), select, tonumber, error, collectgarbage, loadstring: makeLoadstring(options),
    tostring: fastTostring(getLibraryFunction(L, '_G', 'tostring')),
    next: readsTablesRaw(getLibraryFunction(L, '_G', 'next'), 1),
    rawget: readsTablesRaw(getLibraryFunction(L, '_G', 'rawget'), 1),
    rawset: readsTablesRaw(getLibraryFunction(L, '_G', 'rawset'), 1),
    rawlen: readsTablesRaw(getLibraryFunction(L, '_G', 'rawlen'), 1),
    // A lazily pushed table's metatable is the marshaller's, not the value's: build the table first,
    // so getmetatable sees what Kong's table has (nil, cjson's array_mt, the header lookup) and
    // setmetatable replaces it.
    getmetatable: readsTablesRaw(getLibraryFunction(L, '_G', 'getmetatable'), 1),
    setmetatable: readsTablesRaw(getLibraryFunction(L, '_G', 'setmetatable'), 1),
  });
  lua.lua_pushstring(L, toLuaString('Lua 5.1'));
  lua.lua_setfield(L, -2, toLuaString('_VERSION'));

  lua.lua_createtable(L, 0, 8);
  for (const [k, v] of [['os', 'Linux'], ['arch', 'x64'], ['version', 'LuaJIT 2.1.0-beta3']]) {
    lua.lua_pushstring(L, toLuaString(v));
    lua.lua_setfield(L, -2, toLuaString(k));
  }
  lua.lua_pushnumber(L, 20100);
  lua.lua_setfield(L, -2, toLuaString('version_num'));
  setFunctions(L, { on: jitNoop, off: jitNoop, flush: jitNoop, status: jitStatus });
  lua.lua_setfield(L, -2, toLuaString('jit'));
  lua.lua_pop(L, 1);
}
