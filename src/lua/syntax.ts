// Syntax checking in the LuaJIT dialect and the integer-literal rewrite.
// Two parsers: luaparse in LuaJIT mode rejects Lua 5.3-only syntax (`//`, `&`, `|`, `~`, `<<`, `>>`)
// that fengari would accept; fengari's own compiler rejects what fengari cannot run (e.g. `1ULL`)
// and gives Lua's exact messages. A chunk must pass both.
import * as luaparse from 'luaparse';
import { lua, lauxlib, toLuaString } from './fengari';
import type { LuaState } from './fengari';
import { LuaSyntaxError } from './errors';

let checkerState: LuaState | null = null;
function checker(): LuaState {
  if (!checkerState) checkerState = lauxlib.luaL_newstate();
  return checkerState;
}

import { displayChunkName } from './chunk-name';
export { displayChunkName };

interface ParsedChunk {
  readonly integerLiterals: ReadonlyArray<{ start: number; end: number; raw: string; value: number }>;
}

function parseLuaJit(source: string, chunkName: string): ParsedChunk {
  const integerLiterals: Array<{ start: number; end: number; raw: string; value: number }> = [];
  try {
    luaparse.parse(source, {
      luaVersion: 'LuaJIT',
      comments: false,
      scope: false,
      locations: false,
      ranges: true,
      onCreateNode(node: luaparse.Node) {
        if (node.type === 'NumericLiteral') {
          const lit = node as luaparse.NumericLiteral & { range?: [number, number] };
          if (lit.range && /^(?:\d+|0[xX][0-9a-fA-F]+)$/.test(lit.raw)) {
            integerLiterals.push({ start: lit.range[0], end: lit.range[1], raw: lit.raw, value: lit.value });
          }
        }
      },
    } as luaparse.Options);
  } catch (err) {
    throw toSyntaxError(err, source, chunkName);
  }
  return { integerLiterals };
}

/** luaparse's messages look like "[1:10] unexpected symbol '&'"; rewrite them the way LuaJIT reports. */
function toSyntaxError(err: unknown, source: string, chunkName: string): LuaSyntaxError {
  const e = err as { message?: string; line?: number; index?: number };
  const raw = String(e.message ?? err).replace(/^\[\d+:\d+\]\s*/, '');
  const line = typeof e.line === 'number' ? e.line : 1;
  const column = typeof e.index === 'number' ? e.index - source.lastIndexOf('\n', e.index - 1) : null;
  const message = raw
    .replace(/^unexpected symbol '(.*)' near '(.*)'$/, "unexpected symbol near '$1'")
    .replace(/^unexpected symbol '(.*)'$/, "unexpected symbol near '$1'")
    .replace(/^<expression> expected near (.*)$/, 'unexpected symbol near $1')
    .replace(/^<(\w+)> expected near (.*)$/, "'<$1>' expected near $2")
    .replace(/near <eof>/, "near '<eof>'");
  return new LuaSyntaxError(`${displayChunkName(chunkName)}:${line}: ${message}`, chunkName, line, column);
}

/** LuaJIT spells some messages differently from Lua 5.3's parser. */
function toLuaJitWording(message: string): string {
  return message
    .replace(/<(name|eof|string|number|expression)>/g, "'<$1>'")
    .replace(/''<(\w+)>''/g, "'<$1>'")
    .replace(/no visible label '(.*)' for '?<goto>'? at line \d+/, "undefined label '$1'");
}

function compileWithFengari(source: string, chunkName: string): LuaSyntaxError | null {
  const L = checker();
  const status = lauxlib.luaL_loadbufferx(L, toLuaString(source), null, toLuaString(chunkName), toLuaString('t'));
  if (status === lua.LUA_OK) {
    lua.lua_pop(L, 1);
    return null;
  }
  const message = toLuaJitWording(lua.lua_tojsstring(L, -1) ?? 'syntax error');
  lua.lua_pop(L, 1);
  const m = /:(\d+): /.exec(message);
  return new LuaSyntaxError(message, chunkName, m ? Number(m[1]) : null, null);
}

/**
 * Checks that `source` is a valid LuaJIT chunk. Throws LuaSyntaxError with a message like
 * `[string "request-callout"]:1: '<name>' expected near '['`.
 */
export function assertLuaSyntax(source: string, chunkName: string): ParsedChunk {
  // Config validation checks every snippet and the snapshot then compiles it: remember the
  // verdict so the two parsers run once per distinct snippet.
  const key = chunkName + '\0' + source;
  const known = checked.get(key);
  if (known) {
    if (known instanceof LuaSyntaxError) throw known;
    return known;
  }
  let verdict: ParsedChunk | LuaSyntaxError;
  try {
    // fengari first: its messages are Lua's own (line numbers, "near" tokens, "to close" hints).
    const fromFengari = compileWithFengari(source, chunkName);
    verdict = fromFengari ?? parseLuaJit(source, chunkName);
  } catch (err) {
    if (!(err instanceof LuaSyntaxError)) throw err;
    verdict = err;
  }
  if (checked.size >= CHECK_CACHE_LIMIT) checked.clear();
  checked.set(key, verdict);
  if (verdict instanceof LuaSyntaxError) throw verdict;
  return verdict;
}

const CHECK_CACHE_LIMIT = 20_000;
const checked = new Map<string, ParsedChunk | LuaSyntaxError>();

/** Returns null when the chunk is valid, else the error message. */
export function checkLuaSyntax(source: string, chunkName: string): string | null {
  try {
    assertLuaSyntax(source, chunkName);
    return null;
  } catch (err) {
    if (err instanceof LuaSyntaxError) return err.message;
    throw err;
  }
}

/**
 * Rewrites integer literals as float literals (`1000` → `1000.0`, `0xff` → `255.0`) so that
 * arithmetic on them is double arithmetic as in LuaJIT, not Lua 5.3's 32-bit integers in fengari.
 * Positions of newlines are unchanged, so line numbers in errors stay right.
 */
export function floatifyIntegerLiterals(source: string, parsed: ParsedChunk): string {
  if (parsed.integerLiterals.length === 0) return source;
  const literals = [...parsed.integerLiterals].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const lit of literals) {
    out += source.slice(pos, lit.start);
    out += floatLiteral(lit.value);
    pos = lit.end;
  }
  return out + source.slice(pos);
}

function floatLiteral(value: number): string {
  if (Number.isSafeInteger(value)) return `${value}.0`;
  const s = String(value);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Checks the syntax and returns the source to compile (integer literals made floats). */
export function prepareLuaSource(source: string, chunkName: string): string {
  return floatifyIntegerLiterals(source, assertLuaSyntax(source, chunkName));
}
