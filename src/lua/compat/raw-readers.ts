// Library functions that read or write a table raw (LuaJIT's table.*, unpack, next, rawget...) see
// only what the table holds. A table the host pushed lazily (src/lua/lazy) holds nothing until Lua
// reads its fields, so these functions have it built first. The lazy marshaller registers the
// builder: it depends on the libraries, not the other way round.
import { lua } from '../fengari';
import type { LuaState, LuaCFunction } from '../fengari';

type TableBuilder = (L: LuaState, idx: number) => void;

let buildLazyTable: TableBuilder | null = null;

/** Registers what builds a lazily pushed table in place (a no-op on any other table). */
export function setLazyTableBuilder(builder: TableBuilder): void {
  buildLazyTable = builder;
}

/** `fn`, with its table arguments at `tableArgs` built first when they were pushed lazily. */
export function readsTablesRaw(fn: LuaCFunction, ...tableArgs: number[]): LuaCFunction {
  return (L) => {
    const build = buildLazyTable;
    if (build !== null) {
      for (const arg of tableArgs) {
        if (lua.lua_type(L, arg) === lua.LUA_TTABLE) build(L, arg);
      }
    }
    return fn(L);
  };
}
