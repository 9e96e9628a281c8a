// ngx.var: a table whose metamethods read and write nginx variables of the running request.
import { lua, toLuaString } from '../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../lua/fengari';
import type { LuaEngine } from '../../lua/engine';
import { VariableWriteError, readVariable, writeVariable } from './variables';
import { currentScope, decodeText, pushBytes, pushText, raise, requireScope, toStringBytes, typeName } from './lua-util';
import { pushGuardedTable, type DirectIndex } from '../../lua/guarded-table';
import { scratchThread, takeScratchTop } from '../../lua/scratch';
import type { PdkScope } from '../scope';
import { textOfString } from '../../lua/strings';

export function installVar(engine: LuaEngine, L: LuaState, raw: number): void {
  const index: LuaCFunction = (L1) => {
    if (lua.lua_type(L1, 2) !== lua.LUA_TSTRING) return 0; // ngx.var[1]: regex captures of nginx.conf, none here
    const name = decodeText(lua.lua_tolstring(L1, 2) as Uint8Array).toLowerCase();
    return pushVariable(L1, requireScope(engine, L1), name) ? 1 : 0;
  };

  const newIndex: LuaCFunction = (L1) => {
    const name = decodeText(toStringBytes(L1, 2)).toLowerCase();
    const type = lua.lua_type(L1, 3);
    if (type !== lua.LUA_TNIL && type !== lua.LUA_TSTRING && type !== lua.LUA_TNUMBER) {
      return raise(L1, `bad value type for ngx.var.${name}: ${typeName(L1, 3)}`);
    }
    const value = type === lua.LUA_TNIL ? null : decodeText(toStringBytes(L1, 3));
    try {
      writeVariable(requireScope(engine, L1).exchange, name, value);
    } catch (err) {
      if (err instanceof VariableWriteError) return raise(L1, err.message);
      throw err;
    }
    return 0;
  };

  // `index` without the metamethod call; outside a request it leaves the read to `index` (which raises).
  const direct: DirectIndex = (L1, key, out) => {
    if ((key.type & 0x0f) !== lua.LUA_TSTRING) { out.setnilvalue(); return true; }
    const scope = currentScope(engine);
    if (scope === null) return false;
    const scratch = scratchThread(L1);
    if (pushVariable(scratch, scope, textOfString(key.value).toLowerCase())) takeScratchTop(scratch, out);
    else out.setnilvalue();
    return true;
  };
  pushGuardedTable(L, index, newIndex, direct);
  lua.lua_setfield(L, raw, toLuaString('var'));
}

/** Pushes the value of variable `name` (lower case) and returns true, or pushes nothing for nil. */
function pushVariable(L: LuaState, scope: PdkScope, name: string): boolean {
  const value = readVariable(scope.exchange, name);
  if (value === null) return false;
  if (typeof value === 'string') pushText(L, value); else pushBytes(L, value);
  return true;
}
