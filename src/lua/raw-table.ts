// Raw reads of fengari tables straight from their JS objects, for the host's hottest walks
// (kong.ctx.shared.callouts.<name>... on every callout step and template). Through the API each
// step is a push, a lookup, a type check and a pop on a Lua stack; here it is one table lookup.
// Only raw reads: metatables are the caller's business (it sees them on the table object).
import { lua } from './fengari';
import type { LuaState } from './fengari';
import type { StackSlot } from './stack';
import { BoundedMemo } from '../util/bounded-memo';

/** fengari's table object: the metatable and the lazy-table slot of our patch (entries via findEntry). */
export interface RawTable {
  readonly metatable: object | null;
  readonly host?: unknown;
}

// A table entry is its value's slot (the patched fengari keeps type and value on the entry itself).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ltable = require('fengari/src/ltable.js') as { find_entry(table: RawTable, hash: unknown): StackSlot | undefined };
const findEntry = ltable.find_entry;

const ASCII = /^[\x00-\x7f]*$/;

/**
 * The key fengari (as patched) files a string under: '|' and one char per byte of its UTF-8 form.
 * spec/01-lua/raw-table.spec.ts checks it against lua_rawget.
 */
function stringKeyHash(key: string): string {
  return '|' + (ASCII.test(key) ? key : Buffer.from(key, 'utf8').toString('latin1'));
}

// The keys read this way are mostly the same few names (callout names, request, body...). Built
// afresh, each hash is a new string V8 must flatten and hash again for the Map lookup: under load
// that was the plugin's costliest function. Remembered, it is one string whose hash V8 keeps.
const keyHashes = new BoundedMemo<string, string>(4096);

/** t[key] for a string key, raw; undefined when absent. */
export function rawStringField(table: RawTable, key: string): StackSlot | undefined {
  return findEntry(table, keyHashes.get(key, stringKeyHash));
}

/** A string key as fengari files it, made once for a key read over and over (rawKeyedField). */
export type RawKey = string & { readonly rawKeyBrand: unique symbol };

export function rawKey(key: string): RawKey {
  return stringKeyHash(key) as RawKey;
}

/** t[key] for a key made by rawKey, raw; undefined when absent. */
export function rawKeyedField(table: RawTable, key: RawKey): StackSlot | undefined {
  return findEntry(table, key);
}

/** t[n] for an integer key, raw; undefined when absent. */
export function rawIntField(table: RawTable, n: number): StackSlot | undefined {
  return findEntry(table, n);
}

/** A table value, or null for any other value (or none). */
export function asTable(slot: StackSlot | undefined): RawTable | null {
  return slot !== undefined && slot.type === lua.LUA_TTABLE ? slot.value as RawTable : null;
}

/** Pushes a table object found by a raw read onto the stack (the API has no way to name one). */
export function pushTable(L: LuaState, table: RawTable): void {
  lua.lua_pushnil(L);
  const slot = (L as unknown as { stack: Array<{ type: number; value: unknown }>; top: number }).stack[
    (L as unknown as { top: number }).top - 1];
  slot.type = lua.LUA_TTABLE;
  slot.value = table;
}
