// JSON encoding of Lua tables for the PDK (kong.response.exit, kong.service.request.set_body) with
// the cjson rules of src/lua/compat; lazy tables are built in full first so the encoder sees them.
import type { LuaState } from '../lua/fengari';
import { materializeDeep } from '../lua/lazy';
import { encodeLuaValueToJson, JsonConversionError } from '../lua/compat';
import { raise } from './lua-util';

/** JSON bytes of the value at `idx`; a cjson error is raised as a Lua error (`prefix` + message). */
export function encodeJsonBytes(L: LuaState, idx: number, prefix = ''): Uint8Array {
  materializeDeep(L, idx);
  try {
    return encodeLuaValueToJson(L, idx);
  } catch (e) {
    if (e instanceof JsonConversionError) return raise(L, prefix + e.message);
    throw e;
  }
}
