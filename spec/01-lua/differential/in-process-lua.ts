// A small in-process Lua runner for the compat unit specs: a real fengari state with the base
// libraries, installLuaJitCompat, require() for the cjson modules and print() captured as lines.
import { lua, lauxlib, lualib, toLuaString } from '../../../src/lua/fengari';
import type { LuaState, LuaCFunction } from '../../../src/lua/fengari';
import { installLuaJitCompat, luaModuleLoaders, LuaJitCompatOptions } from '../../../src/lua/compat';

const LIBS: Array<[string, LuaCFunction]> = [
  ['_G', lualib.luaopen_base], ['coroutine', lualib.luaopen_coroutine], ['table', lualib.luaopen_table],
  ['string', lualib.luaopen_string], ['math', lualib.luaopen_math], ['os', lualib.luaopen_os],
];

export class InProcessLua {
  readonly L: LuaState;
  readonly output: string[] = [];

  constructor(options: LuaJitCompatOptions = {}) {
    const L = lauxlib.luaL_newstate();
    this.L = L;
    for (const [name, open] of LIBS) {
      lauxlib.luaL_requiref(L, toLuaString(name), open, 1);
      lua.lua_pop(L, 1);
    }
    installLuaJitCompat(L, options);
    lua.lua_pushcfunction(L, (L2) => {
      const parts: string[] = [];
      for (let i = 1; i <= lua.lua_gettop(L2); i++) {
        parts.push(Buffer.from(lauxlib.luaL_tolstring(L2, i)).toString('latin1'));
        lua.lua_pop(L2, 1);
      }
      this.output.push(parts.join('\t'));
      return 0;
    });
    lua.lua_setglobal(L, toLuaString('print'));
    lua.lua_pushcfunction(L, (L2) => {
      const name = Buffer.from(lauxlib.luaL_checklstring(L2, 1)).toString('latin1');
      const loader = luaModuleLoaders[name];
      if (!loader) return lauxlib.luaL_error(L2, toLuaString(`module '${name}' not found`));
      return loader(L2);
    });
    lua.lua_setglobal(L, toLuaString('require'));
  }

  /** Runs a chunk and returns the lines it printed; a Lua error becomes a thrown Error. */
  run(source: string, name = '=test'): string[] {
    const start = this.output.length;
    const L = this.L;
    if (lauxlib.luaL_loadbufferx(L, toLuaString(source), null, toLuaString(name), toLuaString('t')) !== lua.LUA_OK
      || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      const message = lua.lua_tojsstring(L, -1);
      lua.lua_pop(L, 1);
      throw new Error(message ?? 'non-string error');
    }
    return this.output.slice(start);
  }

  /** Runs `return <expr>` and gives the printed results as one tab-separated line. */
  eval(expr: string): string {
    return this.run(`print(${expr})`)[0];
  }
}
