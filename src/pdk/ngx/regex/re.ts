// ngx.re.match / find / gmatch / sub / gsub with lua-resty-core's calling conventions: the subject
// is tostring()'d, a bad pattern returns nil plus "pcre2_compile() failed: ...", an unknown option
// letter raises, captures tables hold [0], numbered and named captures (false when unmatched).
import { lua, lauxlib, toLuaString } from '../../../lua/fengari';
import type { LuaState, LuaCFunction } from '../../../lua/fengari';
import { bytesToLatin1, latin1ToBytes } from '../../../lua/compat/lua-helpers';
import { CompiledRegex, RegexOptionError, SubjectEncodingError, compileRegex, prepareSubject } from './compiled';
import type { RegexMatch, Subject } from './compiled';
import { RegexMatchLimitError, RegexSyntaxError } from './errors';
import { withRegexBudget } from './isolated-matcher';
import type { RegexBudget } from './isolated-matcher';
import { compileTemplate, expandTemplate } from './template';
import type { TemplatePart } from './template';
import { pushBytes, raise, toStringBytes } from '../lua-util';

/** Compiles the pattern at argument 2 with the options at `optsArg`; a string error for bad patterns. */
function compileArgs(L: LuaState, optsArg: number): CompiledRegex | string {
  const pattern = lauxlib.luaL_checklstring(L, 2);
  const opts = lua.lua_isnoneornil(L, optsArg) ? '' : bytesToLatin1(lauxlib.luaL_checklstring(L, optsArg));
  try {
    return compileRegex(pattern, opts);
  } catch (err) {
    if (err instanceof RegexOptionError) return raise(L, err.message);
    if (err instanceof RegexSyntaxError) return `pcre2_compile() failed: ${err.reason} in "${bytesToLatin1(pattern)}"`;
    throw err;
  }
}

function subjectArg(L: LuaState, compiled: CompiledRegex): Subject | string {
  try {
    return prepareSubject(toStringBytes(L, 1), compiled.options.utf8);
  } catch (err) {
    if (err instanceof SubjectEncodingError) return `pcre2_match() failed: ${err.message}`;
    throw err;
  }
}

/** ctx.pos (1-based) as a 0-based byte offset; 0 when there is no ctx or no pos. */
function startFromCtx(L: LuaState, ctxArg: number): number {
  if (lua.lua_type(L, ctxArg) !== lua.LUA_TTABLE) return 0;
  lua.lua_getfield(L, ctxArg, toLuaString('pos'));
  const pos = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
  lua.lua_pop(L, 1);
  return pos > 0 ? Math.trunc(pos) - 1 : 0;
}

function storeCtxPos(L: LuaState, ctxArg: number, match: RegexMatch): void {
  if (lua.lua_type(L, ctxArg) !== lua.LUA_TTABLE) return;
  lua.lua_pushnumber(L, match.end + 1);
  lua.lua_setfield(L, ctxArg, toLuaString('pos'));
}

/** Pushes the captures table; fills the table at `reuseArg` when the caller passed one. */
function pushCaptures(L: LuaState, compiled: CompiledRegex, match: RegexMatch, reuseArg = 0): void {
  if (reuseArg > 0 && lua.lua_type(L, reuseArg) === lua.LUA_TTABLE) lua.lua_pushvalue(L, reuseArg);
  else lua.lua_createtable(L, match.groups.length, compiled.translation.names.length);
  match.groups.forEach((bytes, n) => {
    pushGroup(L, bytes);
    lua.lua_rawseti(L, -2, n);
  });
  if (match.groups.length === 1) return; // DFA mode: [0] only
  const dupnames = compiled.options.dupnames;
  const seen = new Set<string>();
  for (const [name, group] of compiled.translation.names) {
    const key = latin1ToBytes(name);
    const bytes = match.groups[group];
    if (!dupnames) {
      lua.lua_pushstring(L, key);
      pushGroup(L, bytes);
      lua.lua_rawset(L, -3);
      continue;
    }
    if (bytes === null) continue; // with "D", unmatched captures are left out of the name's array
    if (!seen.has(name)) {
      seen.add(name);
      lua.lua_pushstring(L, key);
      lua.lua_createtable(L, 1, 0);
      lua.lua_rawset(L, -3);
    }
    lua.lua_pushstring(L, key);
    lua.lua_rawget(L, -2);
    pushBytes(L, bytes);
    lua.lua_rawseti(L, -2, lua.lua_rawlen(L, -2) + 1);
    lua.lua_pop(L, 1);
  }
}

function pushGroup(L: LuaState, bytes: Uint8Array | null): void {
  if (bytes === null) lua.lua_pushboolean(L, false);
  else pushBytes(L, bytes);
}

function failure(L: LuaState, nils: number, message: string): number {
  for (let k = 0; k < nils; k++) lua.lua_pushnil(L);
  lua.lua_pushstring(L, latin1ToBytes(message));
  return nils + 1;
}

// PCRE2's match-limit code (Kong builds OpenResty with PCRE2), in lua-resty-core's message.
const MATCH_LIMIT_MESSAGE = 'pcre_exec() failed: -47';

/** An engine's limits for ngx.re: its call budget, and how it ends a call found over budget. */
export interface ReCallBudget extends RegexBudget {
  overBudget(L: LuaState): void;
}

/**
 * Runs the matching part of a call under the engine's budget; a match stopped at its time limit
 * answers `nils` nils and the error.
 */
function limited(L: LuaState, nils: number, budget: ReCallBudget, work: () => number): number {
  try {
    return withRegexBudget(budget, work);
  } catch (err) {
    if (!(err instanceof RegexMatchLimitError)) throw err;
    if (err.callOverBudget) budget.overBudget(L);
    return failure(L, nils, MATCH_LIMIT_MESSAGE);
  }
}

function match(L: LuaState, budget: ReCallBudget): number {
  const compiled = compileArgs(L, 3);
  if (typeof compiled === 'string') return failure(L, 1, compiled);
  const subject = subjectArg(L, compiled);
  if (typeof subject === 'string') return failure(L, 1, subject);
  return limited(L, 1, budget, () => {
    const found = compiled.exec(subject, startFromCtx(L, 4));
    if (found === null) { lua.lua_pushnil(L); return 1; }
    storeCtxPos(L, 4, found);
    pushCaptures(L, compiled, found, 5);
    return 1;
  });
}

function find(L: LuaState, budget: ReCallBudget): number {
  const compiled = compileArgs(L, 3);
  if (typeof compiled === 'string') return failure(L, 2, compiled);
  const subject = subjectArg(L, compiled);
  if (typeof subject === 'string') return failure(L, 2, subject);
  const start = startFromCtx(L, 4);
  let nth = lua.lua_isnoneornil(L, 5) ? 0 : Math.trunc(lauxlib.luaL_checknumber(L, 5));
  if (nth < 0) nth = 0;
  if (nth > compiled.captureCount) return failure(L, 2, 'nth out of bound');
  return limited(L, 2, budget, () => {
    const found = compiled.exec(subject, start);
    if (found === null) { lua.lua_pushnil(L); return 1; }
    storeCtxPos(L, 4, found);
    const span = nth === 0 ? [found.start, found.end] as const : compiled.span(subject, start, nth);
    if (span === null || span === 'nomatch') { lua.lua_pushnil(L); lua.lua_pushnil(L); return 2; }
    lua.lua_pushnumber(L, span[0] + 1);
    lua.lua_pushnumber(L, span[1]);
    return 2;
  });
}

function gmatch(L: LuaState, budget: ReCallBudget): number {
  const compiled = compileArgs(L, 3);
  if (typeof compiled === 'string') return failure(L, 1, compiled);
  const subject = subjectArg(L, compiled);
  if (typeof subject === 'string') return failure(L, 1, subject);
  let position: number | null = 0;
  const next = compiled.stepper(subject, 0);
  lua.lua_pushcfunction(L, (L1) => limited(L1, 1, budget, () => {
    if (position === null) { lua.lua_pushnil(L1); return 1; }
    const from = position;
    position = null;                                       // also after a match stopped at the limit
    const found = next(from);
    if (found === null) { lua.lua_pushnil(L1); return 1; }
    const resume = CompiledRegex.resumeAfter(found);
    position = resume > subject.length ? null : resume;
    pushCaptures(L1, compiled, found);
    return 1;
  }));
  return 1;
}

type Replacer = (L: LuaState, match: RegexMatch) => Uint8Array[];

const TEMPLATE_CACHE_LIMIT = 1024;
const templates = new Map<string, TemplatePart[] | null>();

function templateReplacer(L: LuaState, arg: number): Replacer | null {
  const src = toStringBytes(L, arg);
  const key = bytesToLatin1(src);
  let parts = templates.get(key);
  if (parts === undefined) {
    parts = compileTemplate(src);
    if (templates.size >= TEMPLATE_CACHE_LIMIT) templates.delete(templates.keys().next().value as string);
    templates.set(key, parts);
  }
  if (parts === null) return null;
  const compiled = parts;
  return (_L, m) => expandTemplate(compiled, m.groups);
}

function functionReplacer(compiled: CompiledRegex, fnArg: number): Replacer {
  return (L, m) => {
    lua.lua_pushvalue(L, fnArg);
    pushCaptures(L, compiled, m);
    lua.lua_call(L, 1, 1);
    const piece = toStringBytes(L, -1);
    lua.lua_pop(L, 1);
    return [piece];
  };
}

function substitute(L: LuaState, global: boolean, budget: ReCallBudget): number {
  const compiled = compileArgs(L, 4);
  if (typeof compiled === 'string') return failure(L, 2, compiled);
  const subject = subjectArg(L, compiled);
  if (typeof subject === 'string') return failure(L, 2, subject);
  const replace = lua.lua_type(L, 3) === lua.LUA_TFUNCTION ? functionReplacer(compiled, 3) : templateReplacer(L, 3);
  if (replace === null) return failure(L, 2, 'failed to compile the replacement template');
  return limited(L, 2, budget, () => substituteAll(L, compiled, subject, replace, global));
}

function substituteAll(L: LuaState, compiled: CompiledRegex, subject: Subject, replace: Replacer, global: boolean): number {
  const out: Uint8Array[] = [];
  let copied = 0;
  let position = 0;
  let count = 0;
  const next = global ? compiled.stepper(subject, 0) : (from: number) => compiled.exec(subject, from);
  while (position <= subject.length) {
    const found = next(position);
    if (found === null) break;
    count++;
    out.push(subject.bytes.subarray(copied, found.start), ...replace(L, found));
    copied = found.end;
    position = CompiledRegex.resumeAfter(found);
    if (!global) break;
  }
  if (count === 0) {
    pushBytes(L, subject.bytes);
  } else {
    out.push(subject.bytes.subarray(copied));
    pushBytes(L, concat(out));
  }
  lua.lua_pushnumber(L, count);
  return 2;
}

function concat(pieces: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of pieces) size += p.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of pieces) { out.set(p, o); o += p.length; }
  return out;
}

/** ngx.re's functions for an engine: isolated matches are limited by its call budget. */
export function reFunctions(budget: ReCallBudget): Readonly<Record<string, LuaCFunction>> {
  return {
    match: (L) => match(L, budget),
    find: (L) => find(L, budget),
    gmatch: (L) => gmatch(L, budget),
    sub: (L) => substitute(L, false, budget),
    gsub: (L) => substitute(L, true, budget),
  };
}
