// JSON bytes -> Lua values, pushed directly onto the Lua stack, with lua-cjson's token rules
// (strtod numbers, Infinity/NaN/hex accepted by default) and its error messages and positions.
import { lua, lauxlib } from '../../fengari';
import type { LuaState } from '../../fengari';
import { bytesToLatin1 } from '../lua-helpers';
import { ARRAY_MT_KEY, JSON_NULL, JsonConfig, JsonConversionError, defaultJsonConfig } from './config';

const enum Tok { ObjBegin, ObjEnd, ArrBegin, ArrEnd, String, Number, Boolean, Null, Colon, Comma, End, Error }
const TOKEN_NAMES = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN',
  'T_NULL', 'T_COLON', 'T_COMMA', 'T_END', 'T_ERROR'];

const NO_TOKEN = -1;
const SINGLE = new Int8Array(256).fill(NO_TOKEN);
SINGLE[123] = Tok.ObjBegin; SINGLE[125] = Tok.ObjEnd; SINGLE[91] = Tok.ArrBegin; SINGLE[93] = Tok.ArrEnd;
SINGLE[58] = Tok.Colon; SINGLE[44] = Tok.Comma; SINGLE[0] = Tok.End;
const ESCAPE: Record<number, number> = { 34: 34, 92: 92, 47: 47, 98: 8, 116: 9, 110: 10, 102: 12, 114: 13 };
// What C strtod accepts at the start of a number (decimal, hex, inf, nan), longest match first.
const STRTOD = /^[+-]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|infinity|inf|nan(?:\([0-9a-z_]*\))?)/i;

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 43 || c === 45 || c === 40 || c === 41 || c === 95;
}

function strtodValue(text: string): number {
  const t = text.toLowerCase().replace(/^\+/, '');
  const negative = t.startsWith('-');
  const body = negative ? t.slice(1) : t;
  let v: number;
  if (body.startsWith('inf')) v = Infinity;
  else if (body.startsWith('nan')) v = NaN;
  else if (body.startsWith('0x')) {
    const m = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(body)!;
    v = (m[1] ? parseInt(m[1], 16) : 0) + (m[2] ? parseInt(m[2], 16) / 16 ** m[2].length : 0);
    if (m[3]) v *= 2 ** Number(m[3]);
  } else v = Number(body);
  return negative ? -v : v;
}

/** lua-cjson's json_is_invalid_number: text that is a number only under decode_invalid_numbers. */
function isInvalidNumber(s: Uint8Array, p: number): boolean {
  if (s[p] === 43) return true;
  if (s[p] === 45) p++;
  if (s[p] === 48) {
    const c2 = s[p + 1];
    return (c2 | 0x20) === 120 || (c2 >= 48 && c2 <= 57);
  }
  if (s[p] <= 57) return false;
  const word = String.fromCharCode(s[p] | 0x20, s[p + 1] | 0x20, s[p + 2] | 0x20);
  return word === 'inf' || word === 'nan';
}

function hex4(s: Uint8Array, p: number): number {
  if (p + 4 > s.length) return -1;
  const text = String.fromCharCode(s[p], s[p + 1], s[p + 2], s[p + 3]);
  return /^[0-9a-fA-F]{4}$/.test(text) ? parseInt(text, 16) : -1;
}

class Decoder {
  private pos = 0;
  private depth = 0;
  private tok: Tok = Tok.End;
  private tokIndex = 0;
  private tokError = '';
  private tokString: Uint8Array | null = null;
  private tokNumber = 0;
  private tokBool = false;
  private readonly buf: number[] = [];

  constructor(private readonly L: LuaState, private readonly s: Uint8Array, private readonly cfg: JsonConfig) {}

  run(): void {
    if (this.s.length >= 2 && (this.s[0] === 0 || this.s[1] === 0)) throw new JsonConversionError('JSON parser does not support UTF-16 or UTF-32');
    this.next();
    this.value();
    this.next();
    if (this.tok !== Tok.End) this.expected('the end');
  }

  private expected(what: string): never {
    const found = this.tok === Tok.Error ? this.tokError : TOKEN_NAMES[this.tok];
    throw new JsonConversionError(`Expected ${what} but found ${found} at character ${this.tokIndex + 1}`);
  }

  private setError(message: string): void {
    this.tok = Tok.Error;
    this.tokIndex = this.pos;
    this.tokError = message;
  }

  private next(): void {
    const s = this.s;
    let c = this.pos < s.length ? s[this.pos] : 0;
    while (c === 32 || c === 9 || c === 10 || c === 13) c = ++this.pos < s.length ? s[this.pos] : 0;
    this.tokIndex = this.pos;
    const single = SINGLE[c];
    if (single !== NO_TOKEN) {
      this.tok = single as Tok;
      if (single !== Tok.End) this.pos++;
      return;
    }
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) {
      if (!this.cfg.decodeInvalidNumbers && isInvalidNumber(s, this.pos)) return this.setError('invalid number');
      return this.number();
    }
    if (this.word('true')) { this.tok = Tok.Boolean; this.tokBool = true; return; }
    if (this.word('false')) { this.tok = Tok.Boolean; this.tokBool = false; return; }
    if (this.word('null')) { this.tok = Tok.Null; return; }
    // Only t f n i I N + (and the cases above) start known tokens; anything else is invalid at once.
    const unknownStart = c === 116 || c === 102 || c === 110 || c === 105 || c === 73 || c === 78 || c === 43;
    if (unknownStart && this.cfg.decodeInvalidNumbers && isInvalidNumber(s, this.pos)) return this.number();
    this.setError('invalid token');
  }

  private word(w: string): boolean {
    for (let i = 0; i < w.length; i++) if (this.s[this.pos + i] !== w.charCodeAt(i)) return false;
    this.pos += w.length;
    return true;
  }

  private number(): void {
    const s = this.s;
    if (this.plainInteger()) return;
    let end = this.pos;
    while (end < s.length && isNumberChar(s[end])) end++;
    const m = STRTOD.exec(bytesToLatin1(s.subarray(this.pos, end)));
    if (!m) return this.setError('invalid number');
    this.tok = Tok.Number;
    this.tokNumber = strtodValue(m[0]);
    this.pos += m[0].length;
  }

  /** Fast path for short integers ("-12", "404"), the most common JSON numbers. */
  private plainInteger(): boolean {
    const s = this.s;
    let p = this.pos;
    const negative = s[p] === 45;
    if (negative) p++;
    const start = p;
    let value = 0;
    while (p < s.length && s[p] >= 48 && s[p] <= 57 && p - start < 15) value = value * 10 + (s[p++] - 48);
    if (p === start || (p < s.length && isNumberChar(s[p])) || (s[start] === 48 && p - start > 1)) return false;
    this.tok = Tok.Number;
    this.tokNumber = negative ? -value : value;
    this.pos = p;
    return true;
  }

  private string(): void {
    const s = this.s;
    const buf = this.buf;
    buf.length = 0;
    let p = ++this.pos;
    let runStart = p;
    let plain = true;
    for (;;) {
      const c = p < s.length ? s[p] : 0;
      if (c === 34) break;
      if (c === 0) { this.pos = p; return this.setError('unexpected end of string'); }
      if (c !== 92) { if (!plain) buf.push(c); p++; continue; }
      if (plain) { for (let i = runStart; i < p; i++) buf.push(s[i]); plain = false; }
      const e = s[p + 1];
      if (e === 117) {
        const used = this.unicodeEscape(p);
        if (used === 0) { this.pos = p; return this.setError('invalid unicode escape code'); }
        p += used;
        continue;
      }
      const mapped = e === undefined ? undefined : ESCAPE[e];
      if (mapped === undefined) { this.pos = p; return this.setError('invalid escape code'); }
      buf.push(mapped);
      p += 2;
    }
    this.tok = Tok.String;
    this.tokString = plain ? s.subarray(runStart, p) : Uint8Array.from(buf);
    this.pos = p + 1;
  }

  /** Appends the UTF-8 of the \u escape at p; returns the bytes consumed, or 0 when invalid. */
  private unicodeEscape(p: number): number {
    const s = this.s;
    let cp = hex4(s, p + 2);
    if (cp < 0) return 0;
    let used = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return 0;
      if (s[p + 6] !== 92 || s[p + 7] !== 117) return 0;
      const low = hex4(s, p + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return 0;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      used = 12;
    }
    const b = this.buf;
    if (cp < 0x80) b.push(cp);
    else if (cp < 0x800) b.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) b.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else b.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    return used;
  }

  private descend(slots: number): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth || !lua.lua_checkstack(this.L, slots)) {
      throw new JsonConversionError(`Found too many nested data structures (${this.depth}) at character ${this.pos}`);
    }
  }

  /** Pushes the value starting at the current token. */
  private value(): void {
    const L = this.L;
    switch (this.tok) {
      case Tok.String: lua.lua_pushstring(L, this.tokString!); return;
      case Tok.Number: lua.lua_pushnumber(L, this.tokNumber); return;
      case Tok.Boolean: lua.lua_pushboolean(L, this.tokBool); return;
      case Tok.Null: lua.lua_pushlightuserdata(L, JSON_NULL); return;
      case Tok.ObjBegin: return this.object();
      case Tok.ArrBegin: return this.array();
      default: return this.expected('value');
    }
  }

  /** The current token; a method so that TypeScript does not narrow it across next() calls. */
  private kind(): Tok {
    return this.tok;
  }

  private object(): void {
    const L = this.L;
    this.descend(3);
    lua.lua_createtable(L, 0, 0);
    this.next();
    if (this.kind() === Tok.ObjEnd) { this.depth--; return; }
    for (;;) {
      if (this.kind() !== Tok.String) this.expected('object key string');
      lua.lua_pushstring(L, this.tokString!);
      this.next();
      if (this.kind() !== Tok.Colon) this.expected('colon');
      this.next();
      this.value();
      lua.lua_rawset(L, -3);
      this.next();
      if (this.kind() === Tok.ObjEnd) { this.depth--; return; }
      if (this.kind() !== Tok.Comma) this.expected('comma or object end');
      this.next();
    }
  }

  private array(): void {
    const L = this.L;
    this.descend(2);
    lua.lua_createtable(L, 0, 0);
    if (this.cfg.decodeArrayWithArrayMt) {
      lua.lua_rawgetp(L, lua.LUA_REGISTRYINDEX, ARRAY_MT_KEY);
      lua.lua_setmetatable(L, -2);
    }
    this.next();
    if (this.kind() === Tok.ArrEnd) { this.depth--; return; }
    for (let i = 1; ; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
      this.next();
      if (this.kind() === Tok.ArrEnd) { this.depth--; return; }
      if (this.kind() !== Tok.Comma) this.expected('comma or array end');
      this.next();
    }
  }
}

/** Decodes JSON bytes and pushes the result (one value) onto the Lua stack; throws JsonConversionError. */
export function pushJsonAsLua(L: LuaState, json: Uint8Array, cfg: JsonConfig = DEFAULTS): void {
  const base = lua.lua_gettop(L);
  try {
    new Decoder(L, json, cfg).run();
  } catch (e) {
    lua.lua_settop(L, base);
    throw e;
  }
  lauxlib.luaL_checkstack(L, 1, null);
}

const DEFAULTS: JsonConfig = defaultJsonConfig();
