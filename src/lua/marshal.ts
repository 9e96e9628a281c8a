// Copies values between JS and Lua. Strings are bytes on the Lua side: JS strings are encoded as
// UTF-8, Uint8Array goes in unchanged, and Lua strings come back as JS strings (lenient UTF-8) or as
// bytes when asked. Tables are copied; nothing JS (no object, no function) is ever exposed to Lua.
import { lua, lauxlib } from './fengari';
import type { LuaState } from './fengari';
import { pushText, textAt, textOfString } from './strings';
import { pushTable, rawIntField, type RawTable } from './raw-table';
import { tableAt, type StackSlot } from './stack';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ltable = require('fengari/src/ltable.js') as { luaH_getn(table: object): number };

/** JSON null / cjson.null / ngx.null: one light userdata shared by every library. */
export const LUA_NULL: object = Object.freeze({ luaNull: true });

const decoder = new TextDecoder('utf-8', { fatal: false });
const MAX_DEPTH = 1000;

export function pushString(L: LuaState, s: string): void {
  pushText(L, s);
}

/** Pushes a JS value: null/undefined → nil, LUA_NULL → the null sentinel, arrays → sequences. */
export function pushValue(L: LuaState, value: unknown, depth = 0): void {
  if (value === undefined || value === null) { lua.lua_pushnil(L); return; }
  if (value === LUA_NULL) { lua.lua_pushlightuserdata(L, LUA_NULL); return; }
  switch (typeof value) {
    case 'string': pushString(L, value); return;
    case 'number': lua.lua_pushnumber(L, value); return;
    case 'boolean': lua.lua_pushboolean(L, value); return;
    case 'bigint': lua.lua_pushnumber(L, Number(value)); return;
    default: break;
  }
  if (value instanceof Uint8Array) { lua.lua_pushstring(L, value); return; }
  if (depth > MAX_DEPTH) throw new RangeError('value nested too deeply to convert to Lua');
  lauxlib.luaL_checkstack(L, 3, 'converting a value to Lua');
  if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    for (let i = 0; i < value.length; i++) {
      pushValue(L, value[i], depth + 1);
      lua.lua_rawseti(L, -2, i + 1);
    }
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    lua.lua_createtable(L, 0, entries.length);
    for (const [k, v] of entries) {
      if (v === undefined) continue;
      pushString(L, k);
      pushValue(L, v, depth + 1);
      lua.lua_rawset(L, -3);
    }
    return;
  }
  lua.lua_pushnil(L); // functions and symbols never cross into Lua
}

export function toBytes(L: LuaState, idx: number): Uint8Array | null {
  const s = lua.lua_tolstring(L, idx);
  return s ? Uint8Array.prototype.slice.call(s) : null;
}

export function toText(L: LuaState, idx: number): string | null {
  if (idx > lua.LUA_REGISTRYINDEX && lua.lua_type(L, idx) === lua.LUA_TSTRING) return textAt(L, idx);
  const s = lua.lua_tolstring(L, idx);
  return s ? decoder.decode(s) : null;
}

/** Reads a Lua value as plain JS (tables → arrays when they are sequences, else objects). */
export function toValue(L: LuaState, idx: number, depth = 0): unknown {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL: case lua.LUA_TNONE: return null;
    case lua.LUA_TBOOLEAN: return lua.lua_toboolean(L, idx);
    case lua.LUA_TNUMBER: return lua.lua_tonumber(L, idx);
    case lua.LUA_TSTRING: return toText(L, idx);
    case lua.LUA_TLIGHTUSERDATA: return lua.lua_touserdata(L, idx) === LUA_NULL ? LUA_NULL : null;
    case lua.LUA_TTABLE: return depth > MAX_DEPTH ? null : tableToValue(L, lua.lua_absindex(L, idx), depth);
    default: return null;
  }
}

/**
 * Called before a table is read: the lazy marshaller (src/lua/lazy) registers one that builds
 * the rest of a lazily pushed table, so the host never reads half of it. (A hook, because lazy
 * depends on this module.)
 */
let beforeTableRead: ((L: LuaState, idx: number) => void) | null = null;
export function setBeforeTableRead(hook: (L: LuaState, idx: number) => void): void {
  beforeTableRead = hook;
}

function tableToValue(L: LuaState, t: number, depth: number): unknown {
  lauxlib.luaL_checkstack(L, 4, 'converting a table');
  beforeTableRead?.(L, t);
  return walkTable(L, tableAt(L, t) as WalkableTable, depth);
}

// The table is walked on fengari's objects rather than with lua_next and a push, a type check and
// a pop per value: the host reads back every table a snippet edits (callout params, bodies), and
// through the API a two-field table cost about a microsecond.
/** A table entry: its value's slot (type, value: the patched fengari keeps them on the entry), its key's type and value, the next entry. */
interface TableEntry extends StackSlot {
  readonly ktype: number;
  readonly kvalue: unknown;
  readonly n: TableEntry | undefined;
}
interface WalkableTable extends RawTable {
  /** First entry of the table's insertion-ordered list (lua_next's order); deleted entries are unlinked. */
  readonly f: TableEntry | undefined;
}

function walkTable(L: LuaState, table: WalkableTable, depth: number): unknown {
  if (table.host) {
    // A lazy table below one that was not lazy: built here, like the root was.
    pushTable(L, table);
    beforeTableRead?.(L, lua.lua_gettop(L));
    lua.lua_pop(L, 1);
  }
  const n = ltable.luaH_getn(table);
  if (n > 0) {
    const arr: unknown[] = [];
    for (let i = 1; i <= n; i++) arr.push(slotValue(L, rawIntField(table, i), depth + 1));
    return arr;
  }
  const obj: Record<string, unknown> = {};
  for (let entry = table.f; entry !== undefined; entry = entry.n) {
    const type = entry.ktype & 0x0f;
    if (type === lua.LUA_TNUMBER) obj[String(entry.kvalue)] = slotValue(L, entry, depth + 1);
    else if (type === lua.LUA_TSTRING) obj[textOfString(entry.kvalue)] = slotValue(L, entry, depth + 1);
  }
  return obj;
}

/** toValue of a value read off a table slot. */
function slotValue(L: LuaState, slot: StackSlot | undefined, depth: number): unknown {
  if (slot === undefined) return null;
  switch (slot.type & 0x0f) {
    case lua.LUA_TBOOLEAN: return slot.value === true;
    case lua.LUA_TNUMBER: return slot.value;
    case lua.LUA_TSTRING: return textOfString(slot.value);
    case lua.LUA_TLIGHTUSERDATA: return slot.value === LUA_NULL ? LUA_NULL : null;
    case lua.LUA_TTABLE: return depth > MAX_DEPTH ? null : walkTable(L, slot.value as WalkableTable, depth);
    default: return null;
  }
}
