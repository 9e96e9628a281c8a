// lua-cjson (OpenResty fork, as shipped with Kong) settings, one object per cjson instance.

import { LUA_NULL } from '../../marshal';
export interface JsonConfig {
  encodeSparseConvert: boolean;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  encodeNumberPrecision: number;
  encodeKeepBuffer: boolean;
  encodeInvalidNumbers: boolean | 'null';
  decodeInvalidNumbers: boolean;
  encodeEscapeForwardSlash: boolean;
  encodeEmptyTableAsObject: boolean;
  decodeArrayWithArrayMt: boolean;
}

export function defaultJsonConfig(): JsonConfig {
  return {
    encodeSparseConvert: false,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeNumberPrecision: 14,
    encodeKeepBuffer: true,
    encodeInvalidNumbers: false,
    decodeInvalidNumbers: true,
    encodeEscapeForwardSlash: true,
    encodeEmptyTableAsObject: true,
    // Kong turns this on (globalpatches): an empty JSON array re-encodes as [] not {}.
    decodeArrayWithArrayMt: true,
  };
}

/** Raised by the encoder and decoder; the message is lua-cjson's, word for word. */
export class JsonConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonConversionError';
  }
}

/** Light userdata identities shared by every state: cjson.null and cjson.empty_array. */
/** cjson.null, ngx.null and the host's JSON null are one light userdata (marshal's LUA_NULL). */
export const JSON_NULL = LUA_NULL;
export const JSON_EMPTY_ARRAY = Object.freeze({ cjson: 'empty_array' });
/** Registry keys of the array_mt and empty_array_mt tables. */
export const ARRAY_MT_KEY = Object.freeze({ cjson: 'array_mt' });
export const EMPTY_ARRAY_MT_KEY = Object.freeze({ cjson: 'empty_array_mt' });
