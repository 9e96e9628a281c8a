// kong.log: `kong.log(...)` logs at notice; kong.log.<level>(...) at that level; arguments are
// tostring'd and joined with no separator; kong.log.inspect pretty-prints its arguments. Each line
// names the calling snippet line: `[kong] [string "request-callout"]:3 [request-callout] text`.
import { lua, lauxlib } from '../lua/fengari';
import type { LuaState, LuaCFunction } from '../lua/fengari';
import type { LuaEngine } from '../lua/engine';
import type { LogLevel } from './exchange';
import { luaToString, raise, scopeOf, stringArg } from './lua-util';

const LEVELS: ReadonlyArray<[string, LogLevel]> = [
  ['debug', 'debug'], ['info', 'info'], ['notice', 'notice'], ['warn', 'warn'], ['err', 'error'],
  ['crit', 'crit'], ['alert', 'alert'], ['emerg', 'emerg'],
];

interface DebugRecord { short_src: Uint8Array | null; currentline: number }
interface DebugApi {
  lua_Debug: new () => DebugRecord;
  lua_getstack(L: LuaState, level: number, ar: DebugRecord): boolean;
  lua_getinfo(L: LuaState, what: string, ar: DebugRecord): boolean;
}
const debugApi = lua as unknown as DebugApi;
const decoder = new TextDecoder();

/** `<source>:<line>` of the Lua code that called the running host function. */
export function callerLocation(L: LuaState): string {
  const ar = new debugApi.lua_Debug();
  if (!debugApi.lua_getstack(L, 1, ar)) return '?';
  debugApi.lua_getinfo(L, 'Sl', ar);
  const src = ar.short_src ? decoder.decode(ar.short_src) : '?';
  const file = src.startsWith('[') ? src : src.replace(/^.*\//, '');
  return `${file}:${ar.currentline}`;
}

function joinArgs(L: LuaState, from: number): string {
  let out = '';
  for (let i = from; i <= lua.lua_gettop(L); i++) out += luaToString(L, i);
  return out;
}

function identifier(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
}

/** A readable rendering of the value at `idx`, in the spirit of inspect.lua. */
export function inspectValue(L: LuaState, idx: number, depth = 0, seen: Set<unknown> = new Set()): string {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING) return JSON.stringify(stringArg(L, idx));
  if (t !== lua.LUA_TTABLE) return luaToString(L, idx);
  const p = lua.lua_topointer(L, idx);
  if (seen.has(p) || depth > 8) return '<table>';
  seen.add(p);
  const abs = lua.lua_absindex(L, idx);
  lauxlib.luaL_checkstack(L, 4, 'kong.log.inspect');
  const n = lua.lua_rawlen(L, abs);
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, abs, i);
    parts.push(inspectValue(L, -1, depth + 1, seen));
    lua.lua_pop(L, 1);
  }
  const pad = '  '.repeat(depth + 1);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs)) {
    const keyType = lua.lua_type(L, -2);
    const isArrayKey = keyType === lua.LUA_TNUMBER && Number.isInteger(lua.lua_tonumber(L, -2)) && lua.lua_tonumber(L, -2) >= 1 && lua.lua_tonumber(L, -2) <= n;
    if (!isArrayKey) {
      const key = keyType === lua.LUA_TSTRING && identifier(stringArg(L, -2)!) ? stringArg(L, -2)! : `[${inspectValue(L, -2, depth + 1, seen)}]`;
      parts.push(`\n${pad}${key} = ${inspectValue(L, -1, depth + 1, seen)}`);
    }
    lua.lua_pop(L, 1);
  }
  if (parts.length === 0) return '{}';
  return `{ ${parts.join(', ')} }`;
}

/** Pushes the kong.log object: callable (notice), with one function per level and inspect. */
export function pushLogTable(engine: LuaEngine, L: LuaState): void {
  const write = (L2: LuaState, level: LogLevel, message: string): void => {
    const scope = scopeOf(engine, L2);
    const plugin = scope.plugin ? ` [${scope.plugin.name}]` : '';
    scope.exchange.log.log(level, `[kong] ${callerLocation(L2)}${plugin} ${message}`, scope.snippet ? { snippet: scope.snippet } : undefined);
  };
  const functions: Record<string, LuaCFunction> = {};
  for (const [name, level] of LEVELS) {
    functions[name] = (L2) => { write(L2, level, joinArgs(L2, 1)); return 0; };
  }
  functions.inspect = (L2) => {
    const parts: string[] = [];
    for (let i = 1; i <= lua.lua_gettop(L2); i++) parts.push(inspectValue(L2, i));
    write(L2, 'notice', parts.join(' '));
    return 0;
  };
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 4);
  lua.lua_createtable(L, 0, LEVELS.length + 1);
  for (const [name, fn] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
  lua.lua_setfield(L, -2, '__index');
  // kong.log(...) = kong.log.notice(...); argument 1 is the kong.log table itself.
  lua.lua_pushcfunction(L, (L2) => { write(L2, 'notice', joinArgs(L2, 2)); return 0; });
  lua.lua_setfield(L, -2, '__call');
  lua.lua_pushcfunction(L, (L2) => raise(L2, `Cannot modify kong.log.${luaToString(L2, 2)}. Protected by the sandbox.`));
  lua.lua_setfield(L, -2, '__newindex');
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, '__metatable');
  lua.lua_setmetatable(L, -2);
}

