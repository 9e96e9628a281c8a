// Lua's semantics over the JS values a request holds before Lua has touched kong.ctx.shared: the
// plugin's callout entries, decoded JSON, header fields (pdk/shared-fields.ts says how each kind
// looks from Lua). A direct snippet computes with these values as the interpreted snippet would
// with the lazy tables made from them. Whatever the VM could answer differently — an error, a
// metamethod, a string method, bytes, a table compared by identity, a write into data shared
// between requests — throws BAIL: the run's writes are undone and the snippet runs in the VM.
import { formatNumberG } from '../lua/compat/fast-number';
import { LazyValue } from '../lua/lazy';
import { LUA_NULL } from '../lua/marshal';
import { NOT_PLAIN, sharedChild } from '../pdk/shared-fields';
import type { PdkScope } from '../pdk/scope';

/** Thrown (never returned) when the VM must run the snippet instead. */
export class Bail {
  private constructor() {}
  static readonly instance = new Bail();
}
export const BAIL = Bail.instance;

/** Thrown by kong.response.exit once the answer is recorded: the snippet ends there, its writes stay. */
export class Stop {
  private constructor() {}
  static readonly instance = new Stop();
}
export const STOP = Stop.instance;

/** kong.ctx.shared as a value of a direct snippet (the scope's JS-held fields, read through). */
export const SHARED_ROOT: object = Object.freeze({ sharedRoot: true });

/** A lone surrogate has no UTF-8 form: the VM would see U+FFFD where JS sees the code unit. */
const LONE_SURROGATE = /\p{Surrogate}/u;

export function wellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Writes of one run, undone in reverse order when the run bails. */
export class Journal {
  private undo: Array<() => void> | null = null;

  record(step: () => void): void {
    (this.undo ??= []).push(step);
  }

  rollback(): void {
    const undo = this.undo;
    if (undo === null) return;
    for (let i = undo.length - 1; i >= 0; i--) undo[i]();
    this.undo = null;
  }
}

export interface DirectRun {
  readonly scope: PdkScope;
  readonly journal: Journal;
  readonly locals: unknown[];
  /** A value of kong.ctx.shared was written (not only the upstream request). */
  edited: boolean;
  /** Tables this run's constructors made: the only tables it may store (see storable). */
  made: Set<object> | null;
  /** Loop iterations so far (bounded: compile.ts). */
  iterations: number;
}

/** A table made by a constructor of this run. */
export function newTable(run: DirectRun): Record<string, unknown> {
  const made = {};
  (run.made ??= new Set()).add(made);
  return made;
}

/**
 * A key JS objects would list before the others (an array index), where Lua's tables keep the
 * order keys were added in: the plugin turns tables into header lines, query strings and JSON in
 * that order, so such keys are left to the VM.
 */
export function reorderedKey(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key);
}

export function truthy(v: unknown): boolean {
  return v !== undefined && v !== false;
}

/** `v[key]` as the lazy table of `v` answers it (nil as undefined). */
export function index(run: DirectRun, v: unknown, key: unknown): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') throw BAIL;
  if (v === SHARED_ROOT) {
    const fields = run.scope.sharedSource;
    if (fields === undefined || typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(fields, key)) return undefined;
    return dataValue(fields[key]);
  }
  if (typeof v !== 'object' || v === null || v === LUA_NULL || v instanceof Uint8Array) throw BAIL;
  const child = sharedChild(v, key);
  if (child === NOT_PLAIN) throw BAIL;
  return dataValue(child);
}

/** A field's value as a direct snippet holds it: nil for null/undefined, BAIL for what is not data. */
function dataValue(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  switch (typeof v) {
    case 'string': case 'number': case 'boolean': case 'object': return v;
    default: throw BAIL;   // functions, symbols, bigints are not values the lazy tables expose
  }
}

/**
 * `t[key] = value`. Only into plain data made for this request: a plain object (Object's or no
 * prototype) that is not frozen — what requests share is frozen: cached answers, static params,
 * caching tables — and never the context's own structure: kong.ctx.shared's fields and its
 * callouts table (the plugin reads them by name), the entries and their levels (class instances).
 */
export function setIndex(run: DirectRun, t: unknown, key: unknown, value: unknown): void {
  if (typeof key !== 'string' || key === '__proto__' || reorderedKey(key)) throw BAIL;
  if (t instanceof LazyValue) t = t.value;
  if (typeof t !== 'object' || t === null || Array.isArray(t) || Object.isFrozen(t)) throw BAIL;
  const proto = Object.getPrototypeOf(t) as unknown;
  if (proto !== Object.prototype && proto !== null) throw BAIL;
  const fields = run.scope.sharedSource;
  if (fields !== undefined && (t === fields || t === fields.callouts)) throw BAIL;
  const target = t as Record<string, unknown>;
  const had = Object.prototype.hasOwnProperty.call(target, key);
  const old = target[key];
  // `t.k = t.k or {}` where t.k exists stores back the value already there: nothing changes.
  if (had && old === value) return;
  if (!storable(run, value)) throw BAIL;
  run.journal.record(() => { if (had) target[key] = old; else delete target[key]; });
  run.edited = true;
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/**
 * Values a direct snippet may store: the ones the plugin reads back as the VM's read-back would
 * hand them over. Of tables, only those this run made: the VM converts a table it reads back in
 * full, while a JS-held value stored inside another (a decoded body, header fields) would reach
 * the plugin in its JS wrapping.
 */
export function storable(run: DirectRun, v: unknown): boolean {
  switch (typeof v) {
    case 'undefined': case 'boolean': case 'number': return true;
    case 'string': return wellFormed(v);
    case 'object': return run.made !== null && run.made.has(v as object);
    default: return false;
  }
}

/** `a == b` where the answer does not depend on table identity. */
export function equals(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'object' && tb === 'object' && a !== LUA_NULL && b !== LUA_NULL) throw BAIL;
  if (a instanceof Uint8Array || b instanceof Uint8Array || a === SHARED_ROOT || b === SHARED_ROOT) throw BAIL;
  if (ta === 'string' && tb === 'string' && (!wellFormed(a as string) || !wellFormed(b as string))) throw BAIL;
  return a === b;
}

/**
 * From U+D800 on, JS orders strings by UTF-16 code units and Lua by UTF-8 bytes, and the two
 * disagree (a character beyond U+FFFF against one in U+E000–U+FFFF); below, both orders are
 * the code point order.
 */
const ORDERED_APART = /[\uD800-\uFFFF]/;

/** Operands `<` and `<=` compare as the VM does: two numbers, or two strings the byte order of which JS reproduces. */
function ordered(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') return typeof b === 'number';
  return typeof a === 'string' && typeof b === 'string' && !ORDERED_APART.test(a) && !ORDERED_APART.test(b);
}

/** Lua's `a < b` (`b > a`); anything else than two numbers or two strings raises in the VM. */
export function lessThan(a: unknown, b: unknown): boolean {
  if (!ordered(a, b)) throw BAIL;
  return (a as number | string) < (b as number | string);
}

/** Lua's `a <= b` (`b >= a`). */
export function lessOrEqual(a: unknown, b: unknown): boolean {
  if (!ordered(a, b)) throw BAIL;
  return (a as number | string) <= (b as number | string);
}

/**
 * LuaJIT's numbers are doubles, as JS's are, so `+ - * /` on two numbers are the same IEEE
 * operations. Anything else (a numeric string, which Lua coerces; a table with metamethods; nil)
 * is left to the VM.
 */
function numbers(a: unknown, b: unknown): void {
  if (typeof a !== 'number' || typeof b !== 'number') throw BAIL;
}

export function add(a: unknown, b: unknown): number { numbers(a, b); return (a as number) + (b as number); }
export function subtract(a: unknown, b: unknown): number { numbers(a, b); return (a as number) - (b as number); }
export function multiply(a: unknown, b: unknown): number { numbers(a, b); return (a as number) * (b as number); }
export function divide(a: unknown, b: unknown): number { numbers(a, b); return (a as number) / (b as number); }

/** Lua's `a % b`: a − floor(a / b) × b (the sign of b, unlike JS's `%`; `x % 0` is nan). */
export function modulo(a: unknown, b: unknown): number {
  numbers(a, b);
  return (a as number) - Math.floor((a as number) / (b as number)) * (b as number);
}

export function negate(a: unknown): number {
  if (typeof a !== 'number') throw BAIL;
  return -a;
}

/** Lua's `#s` for a string: its UTF-8 byte count (a table's border is left to the VM). */
export function lengthOf(v: unknown): number {
  if (typeof v !== 'string' || !wellFormed(v)) throw BAIL;
  return Buffer.byteLength(v, 'utf8');
}

/** The text of a string or number operand of `..` (numbers as LuaJIT's %.14g). */
export function concatPart(v: unknown): string {
  if (typeof v === 'string') {
    if (!wellFormed(v)) throw BAIL;
    return v;
  }
  // inf and nan are spelled by the platform's printf on LuaJIT: left to the VM.
  if (typeof v === 'number' && Number.isFinite(v)) return formatNumberG(v, 14);
  throw BAIL;
}

