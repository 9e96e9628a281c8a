// Type declarations for the parts of fengari (Lua 5.3 in JS) that luagate uses.
// There is no @types/fengari; these are written from fengari's lua.h-style API.
declare module 'fengari' {
  /** A Lua thread (lua_State). Opaque to the host. */
  export interface LuaState { readonly __luaState: unique symbol }
  /** Lua strings are byte arrays in fengari. */
  export type LuaString = Uint8Array;
  export type LuaCFunction = (L: LuaState) => number;
  export type LuaHook = (L: LuaState, ar: LuaDebug) => void;
  export interface LuaDebug {
    event: number; currentline: number; short_src: LuaString | null; name: LuaString | null;
    namewhat: LuaString | null; what: LuaString | null; linedefined: number; source: LuaString | null;
  }

  export interface LuaApi {
    readonly LUA_OK: 0; readonly LUA_YIELD: 1; readonly LUA_ERRRUN: 2; readonly LUA_ERRSYNTAX: 3;
    readonly LUA_ERRMEM: 4; readonly LUA_ERRGCMM: 5; readonly LUA_ERRERR: 6;
    readonly LUA_TNONE: -1; readonly LUA_TNIL: 0; readonly LUA_TBOOLEAN: 1; readonly LUA_TLIGHTUSERDATA: 2;
    readonly LUA_TNUMBER: 3; readonly LUA_TSTRING: 4; readonly LUA_TTABLE: 5; readonly LUA_TFUNCTION: 6;
    readonly LUA_TUSERDATA: 7; readonly LUA_TTHREAD: 8;
    readonly LUA_REGISTRYINDEX: number; readonly LUA_RIDX_GLOBALS: number; readonly LUA_RIDX_MAINTHREAD: number;
    readonly LUA_MULTRET: -1; readonly LUA_MASKCOUNT: number; readonly LUA_MASKLINE: number;
    readonly LUA_MASKCALL: number; readonly LUA_MASKRET: number;
    lua_absindex(L: LuaState, idx: number): number;
    lua_atnativeerror(L: LuaState, fn: LuaCFunction): LuaCFunction | null;
    lua_call(L: LuaState, nargs: number, nresults: number): void;
    lua_checkstack(L: LuaState, n: number): boolean;
    lua_concat(L: LuaState, n: number): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_error(L: LuaState): never;
    lua_getfield(L: LuaState, idx: number, k: LuaString | string): number;
    lua_getglobal(L: LuaState, name: LuaString | string): number;
    lua_geti(L: LuaState, idx: number, i: number): number;
    lua_getmetatable(L: LuaState, idx: number): boolean;
    lua_gettable(L: LuaState, idx: number): number;
    lua_gettop(L: LuaState): number;
    lua_getupvalue(L: LuaState, funcindex: number, n: number): LuaString | null;
    lua_insert(L: LuaState, idx: number): void;
    lua_isfunction(L: LuaState, idx: number): boolean;
    lua_isinteger(L: LuaState, idx: number): boolean;
    lua_isnil(L: LuaState, idx: number): boolean;
    lua_isnoneornil(L: LuaState, idx: number): boolean;
    lua_isnumber(L: LuaState, idx: number): boolean;
    lua_isstring(L: LuaState, idx: number): boolean;
    lua_istable(L: LuaState, idx: number): boolean;
    lua_isyieldable(L: LuaState): boolean;
    lua_newtable(L: LuaState): void;
    lua_newthread(L: LuaState): LuaState;
    lua_newuserdata(L: LuaState, size: number): unknown;
    lua_next(L: LuaState, idx: number): boolean;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_pop(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, b: boolean | number): void;
    lua_pushcclosure(L: LuaState, fn: LuaCFunction, n: number): void;
    lua_pushcfunction(L: LuaState, fn: LuaCFunction): void;
    lua_pushglobaltable(L: LuaState): void;
    lua_pushinteger(L: LuaState, n: number): void;
    lua_pushlightuserdata(L: LuaState, p: object): void;
    lua_pushliteral(L: LuaState, s: string): LuaString;
    lua_pushlstring(L: LuaState, s: LuaString | string, len: number): LuaString;
    lua_pushnil(L: LuaState): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushstring(L: LuaState, s: LuaString | string | null): LuaString;
    lua_pushthread(L: LuaState): boolean;
    lua_pushvalue(L: LuaState, idx: number): void;
    lua_rawequal(L: LuaState, a: number, b: number): boolean;
    lua_rawget(L: LuaState, idx: number): number;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawgetp(L: LuaState, idx: number, p: object): number;
    lua_rawlen(L: LuaState, idx: number): number;
    lua_rawset(L: LuaState, idx: number): void;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
    lua_rawsetp(L: LuaState, idx: number, p: object): void;
    lua_remove(L: LuaState, idx: number): void;
    lua_replace(L: LuaState, idx: number): void;
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
    lua_rotate(L: LuaState, idx: number, n: number): void;
    lua_setfield(L: LuaState, idx: number, k: LuaString | string): void;
    lua_setglobal(L: LuaState, name: LuaString | string): void;
    lua_sethook(L: LuaState, f: LuaHook | null, mask: number, count: number): void;
    lua_seti(L: LuaState, idx: number, n: number): void;
    lua_setmetatable(L: LuaState, idx: number): void;
    lua_settable(L: LuaState, idx: number): void;
    lua_settop(L: LuaState, idx: number): void;
    lua_setupvalue(L: LuaState, funcindex: number, n: number): LuaString | null;
    lua_status(L: LuaState): number;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_tointeger(L: LuaState, idx: number): number;
    lua_tointegerx(L: LuaState, idx: number): number | false;
    lua_tojsstring(L: LuaState, idx: number): string | null;
    lua_tolstring(L: LuaState, idx: number): LuaString | null;
    lua_tonumber(L: LuaState, idx: number): number;
    lua_tonumberx(L: LuaState, idx: number): number | false;
    lua_topointer(L: LuaState, idx: number): unknown;
    lua_tostring(L: LuaState, idx: number): LuaString | null;
    lua_tothread(L: LuaState, idx: number): LuaState;
    lua_touserdata(L: LuaState, idx: number): unknown;
    lua_type(L: LuaState, idx: number): number;
    lua_typename(L: LuaState, t: number): LuaString;
    lua_upvalueindex(i: number): number;
    lua_xmove(from: LuaState, to: LuaState, n: number): void;
    lua_yield(L: LuaState, nresults: number): number;
  }

  export interface LuaLBuffer { readonly __luaBuffer: unique symbol }
  export interface LauxLib {
    readonly LUA_LOADED_TABLE: LuaString; readonly LUA_NOREF: number; readonly LUA_REFNIL: number;
    luaL_Buffer: new () => LuaLBuffer;
    luaL_argcheck(L: LuaState, cond: boolean, arg: number, extramsg: string): void;
    luaL_argerror(L: LuaState, arg: number, extramsg: LuaString | string): never;
    luaL_checkany(L: LuaState, arg: number): void;
    luaL_checkinteger(L: LuaState, arg: number): number;
    luaL_checklstring(L: LuaState, arg: number): LuaString;
    luaL_checknumber(L: LuaState, arg: number): number;
    luaL_checkstack(L: LuaState, sz: number, msg: string | null): void;
    luaL_checkstring(L: LuaState, arg: number): LuaString;
    luaL_checktype(L: LuaState, arg: number, t: number): void;
    luaL_error(L: LuaState, fmt: LuaString | string, ...args: unknown[]): never;
    luaL_getmetafield(L: LuaState, obj: number, e: LuaString | string): number;
    luaL_len(L: LuaState, idx: number): number;
    luaL_loadbufferx(L: LuaState, buff: LuaString, sz: number | null, name: LuaString | string, mode: LuaString | string | null): number;
    luaL_loadstring(L: LuaState, s: LuaString): number;
    luaL_newmetatable(L: LuaState, tname: LuaString | string): boolean;
    luaL_newstate(): LuaState;
    luaL_optinteger(L: LuaState, arg: number, def: number): number;
    luaL_optlstring(L: LuaState, arg: number, def: LuaString | string | null): LuaString | null;
    luaL_optnumber(L: LuaState, arg: number, def: number): number;
    luaL_optstring(L: LuaState, arg: number, def: LuaString | string | null): LuaString | null;
    luaL_ref(L: LuaState, t: number): number;
    luaL_requiref(L: LuaState, modname: LuaString | string, openf: LuaCFunction, glb: boolean | number): void;
    luaL_setfuncs(L: LuaState, l: Record<string, LuaCFunction>, nup: number): void;
    luaL_tolstring(L: LuaState, idx: number): LuaString;
    luaL_traceback(L: LuaState, L1: LuaState, msg: LuaString | null, level: number): void;
    luaL_typename(L: LuaState, idx: number): LuaString;
    luaL_unref(L: LuaState, t: number, ref: number): void;
    luaL_where(L: LuaState, lvl: number): void;
  }

  export interface LuaLib {
    luaopen_base: LuaCFunction; luaopen_coroutine: LuaCFunction; luaopen_table: LuaCFunction;
    luaopen_string: LuaCFunction; luaopen_math: LuaCFunction; luaopen_os: LuaCFunction;
    luaopen_debug: LuaCFunction; luaopen_utf8: LuaCFunction; luaopen_io: LuaCFunction;
    luaopen_package: LuaCFunction; luaL_openlibs(L: LuaState): void;
  }

  export const lua: LuaApi;
  export const lauxlib: LauxLib;
  export const lualib: LuaLib;
  export function to_luastring(s: string, cache?: boolean): LuaString;
  export function to_jsstring(s: LuaString, from?: number, to?: number, replacement_char?: boolean): string;
  export function to_uristring(s: LuaString): string;
  export const FENGARI_VERSION: string;
}

declare module 'fengari/src/defs.js' {
  const defs: Record<string, unknown>;
  export = defs;
}

declare module 'fengari/src/luaconf.js' {
  interface LuaConf {
    lua_number2str(n: number): string;
    luagate_limits: { max_string_length: number; max_pattern_steps: number };
    LUA_COMPAT_FLOATSTRING: boolean;
  }
  const luaconf: LuaConf;
  export = luaconf;
}
