// ngx.encode_base64/decode_base64, ngx.md5/md5_bin/sha1_bin/hmac_sha1, ngx.crc32_short/long.
// Inputs and outputs are raw bytes: binary digests are never passed through text.
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { lua, lauxlib } from '../../lua/fengari';
import type { LuaCFunction } from '../../lua/fengari';
import { bytesOrEmpty, pushBytes, raise, typeName } from './lua-util';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(src: Uint8Array, noPadding: boolean): Uint8Array {
  const text = Buffer.from(src.buffer, src.byteOffset, src.length).toString('base64');
  const trimmed = noPadding ? text.replace(/=+$/, '') : text;
  return Uint8Array.from(Buffer.from(trimmed, 'latin1'));
}

/**
 * nginx's decoder: everything up to the first `=` must be in the standard alphabet (no
 * whitespace), padding is optional, what follows the first `=` is ignored, and a length of
 * 4n+1 significant characters is invalid. Returns null when invalid.
 */
export function decodeBase64(src: Uint8Array): Uint8Array | null {
  let len = 0;
  while (len < src.length && src[len] !== 0x3d) {
    if (DECODE[src[len]] < 0) return null;
    len++;
  }
  if (len % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const n = (DECODE[src[i]] << 18) | (DECODE[src[i + 1]] << 12) | (DECODE[src[i + 2]] << 6) | DECODE[src[i + 3]];
    out[o++] = (n >> 16) & 255;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (len - i >= 2) out[o++] = ((DECODE[src[i]] << 2) | (DECODE[src[i + 1]] >> 4)) & 255;
  if (len - i === 3) out[o++] = ((DECODE[src[i + 1]] << 4) | (DECODE[src[i + 2]] >> 2)) & 255;
  return out.subarray(0, o);
}

function digest(algorithm: 'md5' | 'sha1', data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(algorithm).update(data).digest());
}

const encode_base64: LuaCFunction = (L) => {
  const src = bytesOrEmpty(L, 1);
  let noPadding = false;
  if (lua.lua_toboolean(L, 2)) {
    if (lua.lua_type(L, 2) !== lua.LUA_TBOOLEAN) return raise(L, `bad no_padding: boolean expected, got ${typeName(L, 2)}`);
    noPadding = true;
  }
  pushBytes(L, encodeBase64(src, noPadding));
  return 1;
};

const decode_base64: LuaCFunction = (L) => {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raise(L, 'string argument only');
  const decoded = decodeBase64(lua.lua_tolstring(L, 1) as Uint8Array);
  if (decoded === null) lua.lua_pushnil(L);
  else pushBytes(L, decoded);
  return 1;
};

const md5: LuaCFunction = (L) => {
  const hex = createHash('md5').update(bytesOrEmpty(L, 1)).digest('hex');
  pushBytes(L, Uint8Array.from(Buffer.from(hex, 'latin1')));
  return 1;
};

const md5_bin: LuaCFunction = (L) => {
  pushBytes(L, digest('md5', bytesOrEmpty(L, 1)));
  return 1;
};

const sha1_bin: LuaCFunction = (L) => {
  pushBytes(L, digest('sha1', bytesOrEmpty(L, 1)));
  return 1;
};

const hmac_sha1: LuaCFunction = (L) => {
  const key = lauxlib.luaL_checklstring(L, 1);
  const data = lauxlib.luaL_checklstring(L, 2);
  pushBytes(L, new Uint8Array(createHmac('sha1', key).update(data).digest()));
  return 1;
};

const crc32Of: LuaCFunction = (L) => {
  lua.lua_pushnumber(L, crc32(bytesOrEmpty(L, 1)));
  return 1;
};

export const digestFunctions: Readonly<Record<string, LuaCFunction>> = {
  encode_base64, decode_base64, md5, md5_bin, sha1_bin, hmac_sha1, crc32_short: crc32Of, crc32_long: crc32Of,
};
