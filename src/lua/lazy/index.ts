// Lazy marshalling: a JS object or array (a decoded JSON body, a callout response) crosses into Lua
// as an empty table that builds each child the first time Lua reads it, then rawsets it so later
// reads and writes are plain table operations. The VM does this through a host hook of our fengari
// patch (hostIndex below, no metamethod call); the metatable's __index does the same for any other
// caller. `pairs`, `#` and the host helpers
// (`materializeDeep`) build everything first. A fully built table loses its lazy metatable (arrays
// get cjson's array_mt when one is registered), so from then on it is an ordinary table.
import { lua, lauxlib } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';
import { pushValue, pushString, setBeforeTableRead } from '../marshal';
import { ARRAY_MT_KEY, JSON_NULL } from '../compat/cjson/config';
import { setLazyTableBuilder } from '../compat/raw-readers';
import { textAt } from '../strings';
import { slotAt, tableAt } from '../stack';
import type { StackSlot, WritableSlot } from '../stack';
import { ensureScratchThread, scratchThread, takeScratchTop } from '../scratch';
import { DoneKeys, NO_KEYS } from './done-keys';
import { CaseInsensitiveFields, isContainer, isPlainSequence, LazyValue, markDone, plainSequence, sourceChild } from './source';
import type { LazyContainer, LazySource } from './source';
import { pushTable, rawStringField, type RawTable } from '../raw-table';
import { GuardedHost } from '../guarded-table';
import { textOfString } from '../strings';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ltable = require('fengari/src/ltable.js') as {
  luaH_new(L: LuaState): object;
  luaH_setfrom(L: LuaState, table: object, key: StackSlot, value: StackSlot): void;
  invalidateTMcache(table: object): void;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lobject = require('fengari/src/lobject.js') as { TValue: new (type: number, value: unknown) => StackSlot };
type HostIndex = (L: LuaState, table: TableInternals, key: StackSlot, out: WritableSlot) => boolean;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lvm = require('fengari/src/lvm.js') as {
  luagate_host: { index: HostIndex | null; newindex: ((table: TableInternals, key: StackSlot) => boolean) | null };
};

export { DoneKeys };
export { CaseInsensitiveFields, LazyValue, plainSequence, sourceChild };
export type { LazyContainer, LazySource };

const META_KEY = Object.freeze({ luagate: 'lazy_mt' });
// The source rides on fengari's table object (lua_topointer) in the `host` slot our fengari patch
// adds to every table: a WeakMap entry per lazy table cost ten times more, and slowed the GC.
interface HostSlot { host: LazySource | GuardedHost | null }

function attach(L: LuaState, idx: number, source: LazySource | null): void {
  (tableAt(L, idx) as HostSlot).host = source;
}

/** The JS source behind the table at `idx`, or undefined for an ordinary (or fully built) table. */
export function lazySourceOf(L: LuaState, idx: number): LazySource | undefined {
  const table = idx > lua.LUA_REGISTRYINDEX ? tableAt(L, idx) : lua.lua_type(L, idx) === lua.LUA_TTABLE ? lua.lua_topointer(L, idx) : null;
  return table ? lazySourceOfTable(table) : undefined;
}

/** The JS source behind a fengari table object, or undefined when it is not a lazy table. */
export function lazySourceOfTable(table: object): LazySource | undefined {
  const host = (table as HostSlot).host;
  return host === null || host instanceof GuardedHost ? undefined : host;
}

/**
 * True when `table` is still a lazy table over `value` and Lua has not read or written `key` of it:
 * what Lua would see under `key` is then `value`'s own field, which JS may keep writing.
 */
export function stillLazyOver(table: object, value: unknown, key: string | number): boolean {
  const source = lazySourceOfTable(table);
  return source !== undefined && source.value === value && !source.done.has(key);
}

/**
 * Pushes `value`: containers as lazy tables, everything else as marshal.pushValue does (null → nil).
 * LazyValue and CaseInsensitiveFields nodes anywhere in the value cross as their own kind.
 */
export function pushLazy(L: LuaState, value: unknown, nullAs: object | null = null): void {
  if (value === null && nullAs !== null) { lua.lua_pushlightuserdata(L, nullAs); return; }
  if (value instanceof LazyValue) { pushLazy(L, value.value); return; }
  const table = lazyTableOf(L, value, nullAs, L);
  if (table === null) pushValue(L, value);
  else pushTable(L, table as unknown as RawTable);
}

// A lazy table is made for every container Lua reads: its metatable is set on fengari's table
// object directly, from a reference kept on the global state, rather than fetched from the
// registry and set through the API each time.
interface TableInternals extends HostSlot { metatable: object | null }
type MetaSlots = Record<symbol, object | undefined>;
const LAZY_MT_SLOT = Symbol('luagate lazy mt');
const CI_LAZY_MT_SLOT = Symbol('luagate lazy case-insensitive mt');

function sharedMeta(L: LuaState, slot: symbol, push: (L: LuaState) => void): object {
  const global = (L as unknown as { l_G: MetaSlots }).l_G;
  let meta = global[slot];
  if (meta === undefined) {
    ensureScratchThread(L);
    push(L);
    meta = tableAt(L, -1) as object;
    lua.lua_pop(L, 1);
    global[slot] = meta;
  }
  return meta;
}

/**
 * Pushes header fields (lower-case names → string or array of strings) lazily; a lookup by any case
 * finds the lower-case field, before and after the table is built.
 */
export function pushLazyCaseInsensitive(L: LuaState, fields: Readonly<Record<string, unknown>>): void {
  pushLazy(L, new CaseInsensitiveFields(fields));
}

function pushLazyCaseInsensitiveMeta(L: LuaState): void {
  pushCaseInsensitiveMeta(L, true);
}

const CI_LAZY_META_KEY = Object.freeze({ luagate: 'lazy case-insensitive mt' });
const CI_META_KEY = Object.freeze({ luagate: 'case-insensitive mt' });

/** The metatable of header tables: lazy (builds from the JS source) or, once built, lookup only. */
function pushCaseInsensitiveMeta(L: LuaState, lazy: boolean): void {
  const key = lazy ? CI_LAZY_META_KEY : CI_META_KEY;
  if (lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, key) === lua.LUA_TTABLE) return;
  lua.lua_pop(L, 1);
  lua.lua_createtable(L, 0, 4);
  setField(L, '__index', lazy ? caseInsensitiveLazyIndex : caseInsensitiveIndex);
  if (lazy) {
    setField(L, '__newindex', lazyNewIndex);
    setField(L, '__pairs', lazyPairs);
    setField(L, '__len', lazyLen);
  }
  lua.lua_pushvalue(L, -1);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, key);
}

/** t[key] missed: the lower-case field, built from the source under its lower-case name if needed. */
const caseInsensitiveLazyIndex: LuaCFunction = (L) => lazyIndexCall(L);

const caseInsensitiveIndex: LuaCFunction = (L) => {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) { lua.lua_pushnil(L); return 1; }
  const key = textAt(L, 2);
  const lower = key.toLowerCase();
  if (lower === key) { lua.lua_pushnil(L); return 1; }
  pushString(L, lower);
  lua.lua_rawget(L, 1);
  return 1;
};

/** Pushes a decoded JSON value (JSON.parse output) lazily; JSON null becomes cjson.null. */
export function pushLazyJson(L: LuaState, value: unknown): void {
  pushLazy(L, value, JSON_NULL);
}

function pushLazyMeta(L: LuaState): void {
  if (lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, META_KEY) === lua.LUA_TTABLE) return;
  lua.lua_pop(L, 1);
  lua.lua_createtable(L, 0, 5);
  setField(L, '__index', lazyIndex);
  setField(L, '__newindex', lazyNewIndex);
  setField(L, '__pairs', lazyPairs);
  setField(L, '__len', lazyLen);
  // Snippets in `on` mode must not swap the metatable out from under the JS source.
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, '__metatable');
  lua.lua_pushvalue(L, -1);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, META_KEY);
}

function setField(L: LuaState, name: string, fn: LuaCFunction): void {
  lua.lua_pushcfunction(L, fn);
  lua.lua_setfield(L, -2, name);
}

// The metamethods do what the VM's table hooks below do (the VM calls the hooks first; the
// metamethods remain for callers that reach __index another way).
const lazyIndex: LuaCFunction = (L) => lazyIndexCall(L);

function lazyIndexCall(L: LuaState): number {
  const table = tableAt(L, 1) as TableInternals | null;
  const key = slotAt(L, 2);
  lua.lua_pushnil(L);
  if (table !== null && key !== undefined && lazySourceOfTable(table)) hostIndex(L, table, key, slotAt(L, -1) as WritableSlot);
  return 1;
}

const lazyNewIndex: LuaCFunction = (L) => {
  const table = tableAt(L, 1) as TableInternals | null;
  const key = slotAt(L, 2);
  if (table !== null && key !== undefined && lazySourceOfTable(table)) hostNewIndex(table, key);
  lua.lua_settop(L, 3);
  lua.lua_rawset(L, 1);
  return 0;
};

const lazyPairs: LuaCFunction = (L) => {
  materialize(L, 1);
  lua.lua_pushcfunction(L, rawNext);
  lua.lua_pushvalue(L, 1);
  lua.lua_pushnil(L);
  return 3;
};

const rawNext: LuaCFunction = (L) => {
  lua.lua_settop(L, 2);
  if (lua.lua_next(L, 1)) return 2;
  lua.lua_pushnil(L);
  return 1;
};

const lazyLen: LuaCFunction = (L) => {
  materialize(L, 1);
  lua.lua_pushinteger(L, lua.lua_rawlen(L, 1));
  return 1;
};

/**
 * Builds every child of the lazy table at `idx` that Lua has not seen yet (one level), then
 * turns it into an ordinary table. No-op on other values.
 */
export function materialize(L: LuaState, idx: number): void {
  const source = lazySourceOf(L, idx);
  if (!source) return;
  const t = lua.lua_absindex(L, idx);
  lauxlib.luaL_checkstack(L, 3, 'building a lazy table');
  if (source.isArray) {
    const arr = source.value as readonly unknown[];
    for (let i = 0; i < arr.length; i++) {
      if (source.done.has(i + 1) || arr[i] === undefined) continue;
      pushLazy(L, arr[i], source.nullAs);
      lua.lua_rawseti(L, t, i + 1);
    }
  } else {
    for (const [k, v] of Object.entries(source.value)) {
      if (v === undefined || source.done.has(k)) continue;
      pushString(L, k);
      pushLazy(L, v, source.nullAs);
      lua.lua_rawset(L, t);
    }
  }
  attach(L, t, null);
  // A JSON array keeps encoding as an array once built, even empty (Kong decodes with
  // decode_array_with_array_mt on): it gets cjson's shared array_mt; a plain sequence does not.
  // Header tables keep their case-insensitive lookup.
  if (source.isArray && !isPlainSequence(source.value)) pushArrayMeta(L);
  else if (source.caseInsensitive) pushCaseInsensitiveMeta(L, false);
  else lua.lua_pushnil(L);
  lua.lua_setmetatable(L, t);
}

/** cjson's array_mt from the registry, created as cjson itself would create it when missing. */
function pushArrayMeta(L: LuaState): void {
  if (lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT_KEY) === lua.LUA_TTABLE) return;
  lua.lua_pop(L, 1);
  lua.lua_createtable(L, 0, 0);
  lua.lua_pushvalue(L, -1);
  lua.lua_rawsetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT_KEY);
}

/**
 * Builds the table at `idx` and every lazy table reachable from it, so raw readers (cjson.encode,
 * marshal.toValue) see the full content. Cycles are safe: a built table is no longer lazy.
 */
export function materializeDeep(L: LuaState, idx: number, seen: Set<object> = new Set(), depth = 0): void {
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE || depth > 1000) return;
  const t = lua.lua_absindex(L, idx);
  const p = lua.lua_topointer(L, t) as object;
  if (seen.has(p)) return;
  seen.add(p);
  materialize(L, t);
  lauxlib.luaL_checkstack(L, 4, 'building a lazy table');
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t)) {
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) materializeDeep(L, -1, seen, depth + 1);
    lua.lua_pop(L, 1);
  }
}

// The VM asks these before calling __index / __newindex on a table with host data (our fengari
// patch): the lazy metamethods' work done in place, without the call frame, the stack traffic and
// the API lookups of a metamethod call (the commonest host operation of a snippet: every field of
// a callout entry or a decoded body is read this way once).
// Guarded PDK tables (kong.ctx, ngx.var) may carry a GuardedHost with their own direct read.

/** t[key] missed in the raw part of a table with host data: answered in `out`, or false for __index. */
function hostIndex(L: LuaState, table: TableInternals, key: StackSlot, out: WritableSlot): boolean {
  const host = table.host;
  if (host instanceof GuardedHost) return host.index(L, key, out);
  const source = host as LazySource;
  if (source.caseInsensitive) return caseInsensitiveHostIndex(L, table, source, key, out);
  const k = keyOfSlot(key);
  if (k === null || source.done.has(k)) { out.setnilvalue(); return true; }
  const child = sourceChild(source, k);
  markDone(source, k);
  if (child === undefined || (child === null && source.nullAs === null)) { out.setnilvalue(); return true; }
  const built = lazyTableOf(L, child, source.nullAs, scratchThread(L));
  if (built !== null) {
    // A container child is made as a table object directly: no stack traffic, no TValue to drop.
    TABLE_VALUE.value = built;
    ltable.luaH_setfrom(L, table, key, TABLE_VALUE);
    TABLE_VALUE.value = null;
    ltable.invalidateTMcache(table);
    out.sethvalue(built);
    return true;
  }
  // Other values are built on a scratch thread: `L` may be inside the VM, with no room reserved
  // above its top.
  const scratch = scratchThread(L);
  pushLazy(scratch, child, source.nullAs);
  const value = slotAt(scratch, -1) as StackSlot;
  ltable.luaH_setfrom(L, table, key, value);
  ltable.invalidateTMcache(table);
  takeScratchTop(scratch, out);
  return true;
}

/** The value luaH_setfrom copies a new child table from (it copies, so one object serves every call). */
const TABLE_VALUE = new lobject.TValue(lua.LUA_TTABLE, null) as StackSlot & { value: object | null };

/**
 * The lazy table for `value` as a table object, or null when `value` is not a container (it crosses
 * as a plain value). LazyValue and CaseInsensitiveFields nodes make their own kind. A metatable
 * not made yet is made on `metaThread`: the scratch thread when `L` may be inside the VM.
 */
function lazyTableOf(L: LuaState, value: unknown, nullAs: object | null, metaThread: LuaState): TableInternals | null {
  if (value instanceof LazyValue) return lazyTableOf(L, value.value, null, metaThread);
  let fields = value;
  let caseInsensitive = false;
  if (value instanceof CaseInsensitiveFields) { fields = value.value; caseInsensitive = true; nullAs = null; }
  if (!isContainer(fields)) return null;
  const table = ltable.luaH_new(L) as TableInternals;
  table.metatable = caseInsensitive
    ? sharedMeta(metaThread, CI_LAZY_MT_SLOT, pushLazyCaseInsensitiveMeta)
    : sharedMeta(metaThread, LAZY_MT_SLOT, pushLazyMeta);
  table.host = { value: fields, isArray: !caseInsensitive && Array.isArray(fields), done: NO_KEYS, nullAs, caseInsensitive };
  return table;
}

/** What caseInsensitiveLazyIndex answers, in `out`. */
function caseInsensitiveHostIndex(L: LuaState, table: TableInternals, source: LazySource, key: StackSlot, out: WritableSlot): boolean {
  if ((key.type & 0x0f) !== lua.LUA_TSTRING) { out.setnilvalue(); return true; }
  const given = textOfString(key.value);
  const lower = given.toLowerCase();
  if (lower !== given) {
    const built = rawStringField(table as unknown as RawTable, lower);
    if (built !== undefined && built.type !== lua.LUA_TNIL) { out.setfrom(built); return true; }
  }
  if (source.done.has(lower)) { out.setnilvalue(); return true; }
  const obj = source.value as Record<string, unknown>;
  const child = Object.prototype.hasOwnProperty.call(obj, lower) ? obj[lower] : undefined;
  markDone(source, lower);
  if (child === undefined || child === null) { out.setnilvalue(); return true; }
  const scratch = scratchThread(L);
  pushString(scratch, lower);
  pushLazy(scratch, child);
  const value = slotAt(scratch, -1) as StackSlot;
  ltable.luaH_setfrom(L, table, slotAt(scratch, -2) as StackSlot, value);
  ltable.invalidateTMcache(table);
  takeScratchTop(scratch, out);
  return true;
}

/** t[key] = v on a key absent from the raw part of lazy table `table`: what lazyNewIndex records. */
function hostNewIndex(table: TableInternals, key: StackSlot): boolean {
  const host = table.host;
  if (host instanceof GuardedHost) return false;
  const k = keyOfSlot(key);
  if (k !== null) markDone(host as LazySource, k);
  return true;
}

/** A key as a JS key, or null for keys a JSON source can never hold. */
function keyOfSlot(key: StackSlot): string | number | null {
  switch (key.type & 0x0f) {
    case lua.LUA_TNUMBER: return key.value as number;
    case lua.LUA_TSTRING: return textOfString(key.value);
    default: return null;
  }
}

lvm.luagate_host.index = hostIndex;
lvm.luagate_host.newindex = hostNewIndex;

setBeforeTableRead((L, idx) => {
  if (lazySourceOf(L, idx)) materializeDeep(L, idx);
});
setLazyTableBuilder(materialize);
