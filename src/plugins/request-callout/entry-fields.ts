// Reading a callout entry's fields from JS: raw reads of the Lua tables where Lua holds them, and
// the plugin's JS values behind lazy tables where Lua has not touched a key (both give what Lua
// would read). Raw access means a metatable a snippet puts on these tables is not consulted.
import { lua } from '../../lua/fengari';
import type { LuaState } from '../../lua/fengari';
import { pushString, toBytes, toValue } from '../../lua/marshal';
import { lazySourceOf, lazySourceOfTable, sourceChild, type LazySource } from '../../lua/lazy';
import { asTable, pushTable, rawStringField, type RawTable } from '../../lua/raw-table';
import { tableAt } from '../../lua/stack';
import { getField, textOfString } from '../../lua/strings';
import { CaseInsensitiveFields, LazyValue } from '../../pdk/shared-fields';

/** A JS value of the Lua value at `idx` (toValue builds lazy tables at any depth first). */
function readBody(L: LuaState, idx: number): unknown {
  return lua.lua_type(L, idx) === lua.LUA_TSTRING ? toBytes(L, idx) : toValue(L, idx);
}

/** `t[key]` of the table at `idx`, read raw, or through the JS source of a lazy table not built yet. */
export function fieldValue(L: LuaState, idx: number, key: string): unknown {
  const table = tableAt(L, idx) as RawTable | null;
  if (table) {
    // A lazy table (its metatable is protected) gets a key in its raw part only when Lua reads or
    // writes it, and that marks the key done: a key not done is the source's, no raw lookup needed.
    const source = lazySourceOfTable(table);
    if (source && !source.caseInsensitive && !source.done.has(key)) return sourceFieldValue(source, key);
    const slot = rawStringField(table, key);
    if (slot === undefined) return sourceValue(L, idx, key);
    // Plain values are read off the slot; tables, userdata and the rest go through the stack.
    switch (slot.type & 0x0f) {
      case lua.LUA_TBOOLEAN: return slot.value === true;
      case lua.LUA_TNUMBER: return slot.value;
      case lua.LUA_TSTRING: return textOfString(slot.value);
      default: break;
    }
  }
  pushString(L, key);
  lua.lua_rawget(L, idx);
  if (lua.lua_type(L, -1) !== lua.LUA_TNIL) {
    const value = toValue(L, -1);
    lua.lua_pop(L, 1);
    return value;
  }
  lua.lua_pop(L, 1);
  return sourceValue(L, idx, key);
}

/** A field missing from the raw table: from the JS source of a lazy table Lua has not touched there, else null. */
function sourceValue(L: LuaState, idx: number, key: string): unknown {
  const source = lazySourceOf(L, idx);
  if (!source || source.done.has(key)) return null;
  return sourceFieldValue(source, key);
}

function sourceFieldValue(source: LazySource, key: string): unknown {
  const child = sourceChild(source, key);
  if (child instanceof LazyValue || child instanceof CaseInsensitiveFields) return child.value;
  return child === undefined ? null : child;
}

/**
 * Pushes `t[key]` of the table at `idx` and says whether it is a table: a raw read, except on the
 * plugin's own lazy tables, whose metatable builds the field (and never raises).
 */
export function pushTableField(L: LuaState, idx: number, key: string): boolean {
  const table = tableAt(L, idx) as RawTable | null;
  const built = table ? asTable(rawStringField(table, key)) : null;
  if (built) {
    pushTable(L, built);
    return true;
  }
  if (lazySourceOf(L, idx)) {
    getField(L, idx, key);
  } else {
    pushString(L, key);
    lua.lua_rawget(L, idx);
  }
  return lua.lua_type(L, -1) === lua.LUA_TTABLE;
}

/** A field of a JS source as fieldValue() would read it from Lua: null when absent. */
export function jsField(source: Readonly<Record<string, unknown>>, key: string): unknown {
  const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
  if (value instanceof LazyValue || value instanceof CaseInsensitiveFields) return value.value;
  return value ?? null;
}

/** `t.body` of the table at `idx`: bytes for a Lua string, a JS value for a table, null when absent. */
export function bodyField(L: LuaState, idx: number): unknown {
  const table = tableAt(L, idx) as RawTable | null;
  if (table && rawStringField(table, 'body') === undefined && lazySourceOfTable(table)) return sourceValue(L, idx, 'body');
  pushTableField(L, idx, 'body');
  return readBodyAndPop(L);
}

function readBodyAndPop(L: LuaState): unknown {
  const value = lua.lua_type(L, -1) === lua.LUA_TNIL ? null : readBody(L, -1);
  lua.lua_pop(L, 1);
  return value;
}
