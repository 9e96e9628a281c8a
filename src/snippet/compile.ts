// by_lua snippets that stay within a small part of Lua, compiled to JS closures at config load
// and run over the request's JS-held values (values.ts) instead of the VM. The part: locals,
// assignments of one value to a local or a field, `if`, `do`, `return`, field reads, `..`, `==`,
// `~=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `/`, `%`, `#`, `and`, `or`, `not`, literals, table
// constructors with string keys, numeric `for`, `for … in ipairs(t)`, `break`, kong.ctx.shared,
// and the calls in builtins.ts. Anything else — or a global written, read or shadowed in a way
// the sandbox does not pin down — leaves the snippet to the VM entirely (compileDirect says why).
import * as luaparse from 'luaparse';
import { BUILTINS, type Builtin } from './builtins';
import {
  add, BAIL, concatPart, divide, equals, index, Journal, lengthOf, lessOrEqual, lessThan, modulo, multiply, negate, newTable, reorderedKey,
  setIndex, SHARED_ROOT, STOP, storable, subtract, truthy, type DirectRun,
} from './values';
import type { PdkScope } from '../pdk/scope';

type Expr = (run: DirectRun) => unknown;
/** How a statement ended: the next one runs, the snippet returned, or the innermost loop broke. */
const NEXT = 0;
const RETURNED = 1;
const BROKE = 2;
type Flow = typeof NEXT | typeof RETURNED | typeof BROKE;
/** Runs a statement. */
type Stmt = (run: DirectRun) => Flow;

/**
 * Loop iterations one run may take before it is left to the VM: far below what the VM's time
 * budget allows (so a loop both complete here is one the VM completes too), and a bound on a
 * loop that would never end.
 */
const MAX_ITERATIONS = 10_000;

function iterate(run: DirectRun): void {
  if (++run.iterations > MAX_ITERATIONS) throw BAIL;
}

/** A snippet compiled to closures: `run` answers false when it bailed (then nothing was changed). */
export interface DirectSnippet {
  run(scope: PdkScope): boolean;
}

/** What compileDirect made of a snippet: closures, or why the VM runs it. */
export type DirectCompilation =
  | { readonly snippet: DirectSnippet; readonly reason: null }
  | { readonly snippet: null; readonly reason: string };

/** Thrown while compiling: the construct is outside the part direct snippets cover. */
class Unsupported extends Error {}

/** Readable names of the luaparse node types direct snippets leave to the VM. */
const CONSTRUCTS: Readonly<Record<string, string>> = {
  ForGenericStatement: 'generic for other than ipairs', WhileStatement: 'while',
  RepeatStatement: 'repeat', FunctionDeclaration: 'function', BreakStatement: 'break', GotoStatement: 'goto',
  LabelStatement: 'label', VarargLiteral: '...', StringCallExpression: 'call with a string argument',
  TableCallExpression: 'call with a table argument',
};

function unsupported(type: string): Unsupported {
  return new Unsupported(CONSTRUCTS[type] ?? type);
}

type Operation = (a: unknown, b: unknown) => unknown;

/** Binary operators on two values as Lua applies them (`^` stays in the VM: libm's pow and V8's Math.pow may round apart). */
const OPERATIONS: Readonly<Record<string, Operation>> = {
  '..': (a, b) => concatPart(a) + concatPart(b),
  '==': equals,
  '~=': (a, b) => !equals(a, b),
  '<': lessThan,
  '<=': lessOrEqual,
  '+': add,
  '-': subtract,
  '*': multiply,
  '/': divide,
  '%': modulo,
};

/** Operators Lua applies with the operands swapped. */
const SWAPPED_OPERATIONS: Readonly<Record<string, Operation>> = { '>': lessThan, '>=': lessOrEqual };

/** Globals a path may start from: the sandbox's read-only copies, fixed for the process. */
const STATIC_ROOTS = new Set(['kong', 'string', 'tostring']);
const SHARED_PATH = 'kong.ctx.shared';
/** A simple quoted literal: printable ASCII, no escapes (its value is its text). */
const PLAIN_STRING = /^(?:"[\x20-\x21\x23-\x5b\x5d-\x7e]*"|'[\x20-\x26\x28-\x5b\x5d-\x7e]*')$/;

type Base = { readonly kind: 'static'; readonly path: string } | { readonly kind: 'value'; readonly expr: Expr };

interface Block { readonly names: Map<string, number>; readonly parent: Block | null }

class Compiler {
  slots = 0;
  private block: Block = { names: new Map(), parent: null };
  /** Loops around the statement being compiled (`break` needs one). */
  private loops = 0;

  private local(name: string): number | undefined {
    for (let b: Block | null = this.block; b !== null; b = b.parent) {
      const slot = b.names.get(name);
      if (slot !== undefined) return slot;
    }
    return undefined;
  }

  private inBlock<T>(work: () => T): T {
    const outer = this.block;
    this.block = { names: new Map(), parent: outer };
    try {
      return work();
    } finally {
      this.block = outer;
    }
  }

  chunk(body: luaparse.Statement[]): Stmt[] {
    return body.map((s) => this.statement(s));
  }

  private body(statements: luaparse.Statement[]): Stmt {
    return this.inBlock(() => this.sequence(statements));
  }

  private sequence(statements: luaparse.Statement[]): Stmt {
    const compiled = statements.map((s) => this.statement(s));
    return (run) => {
      for (let i = 0; i < compiled.length; i++) {
        const flow = compiled[i](run);
        if (flow !== NEXT) return flow;
      }
      return NEXT;
    };
  }

  private statement(node: luaparse.Statement): Stmt {
    switch (node.type) {
      case 'LocalStatement': return this.localStatement(node);
      case 'AssignmentStatement': return this.assignment(node);
      case 'CallStatement': {
        const call = this.expression(node.expression);
        return (run) => { call(run); return NEXT; };
      }
      case 'IfStatement': return this.ifStatement(node);
      case 'DoStatement': return this.body(node.body);
      case 'ReturnStatement': {
        const values = node.arguments.map((a) => this.expression(a));
        return (run) => { for (const v of values) v(run); return RETURNED; };
      }
      case 'ForNumericStatement': return this.numericFor(node);
      case 'ForGenericStatement': return this.ipairsFor(node);
      case 'BreakStatement': {
        if (this.loops === 0) throw unsupported(node.type);
        return () => BROKE;
      }
      default: throw unsupported(node.type);
    }
  }

  private localStatement(node: luaparse.LocalStatement): Stmt {
    const values = node.init.map((e) => this.expression(e));   // before the names exist: `local x = x`
    const slots = node.variables.map((v) => {
      const slot = this.slots++;
      this.block.names.set(v.name, slot);
      return slot;
    });
    if (values.length <= 1) {
      // The usual `local x = e` (or `local x`): no array of values per run.
      const value = values[0];
      const [first, ...rest] = slots;
      return (run) => {
        run.locals[first] = value === undefined ? undefined : value(run);
        for (const slot of rest) run.locals[slot] = undefined;
        return NEXT;
      };
    }
    return (run) => {
      const computed = values.map((v) => v(run));
      for (let i = 0; i < slots.length; i++) run.locals[slots[i]] = computed[i];
      return NEXT;
    };
  }

  private assignment(node: luaparse.AssignmentStatement): Stmt {
    if (node.variables.length !== 1 || node.init.length !== 1) throw new Unsupported('multiple assignment');
    const target = node.variables[0];
    const value = this.expression(node.init[0]);
    if (target.type === 'Identifier') {
      const slot = this.local(target.name);
      if (slot === undefined) throw new Unsupported('global assignment');
      return (run) => { run.locals[slot] = value(run); return NEXT; };
    }
    const table = this.value(target.base);
    const key = this.key(target);
    return (run) => {
      const t = table(run);
      const k = key(run);
      setIndex(run, t, k, value(run));
      return NEXT;
    };
  }

  private ifStatement(node: luaparse.IfStatement): Stmt {
    const clauses = node.clauses.map((clause) => ({
      condition: clause.type === 'ElseClause' ? null : this.expression(clause.condition),
      body: this.body(clause.body),
    }));
    return (run) => {
      for (const clause of clauses) {
        if (clause.condition === null || truthy(clause.condition(run))) return clause.body(run);
      }
      return NEXT;
    };
  }

  /** A loop's variables (fresh locals of its block) and body; `break` inside ends this loop. */
  private loop(names: readonly string[], statements: luaparse.Statement[]): { slots: number[]; body: Stmt } {
    return this.inBlock(() => {
      const slots = names.map((name) => {
        const slot = this.slots++;
        this.block.names.set(name, slot);
        return slot;
      });
      this.loops++;
      try {
        return { slots, body: this.sequence(statements) };
      } finally {
        this.loops--;
      }
    });
  }

  /**
   * `for i = a, b[, step]`: the three values are read once, in order, and must be numbers;
   * LuaJIT's doubles step as JS's do. A step of 0 (or nan), which never ends, is left to the VM.
   */
  private numericFor(node: luaparse.ForNumericStatement): Stmt {
    const start = this.expression(node.start);
    const limit = this.expression(node.end);
    const step = node.step === null ? null : this.expression(node.step);
    const { slots: [slot], body } = this.loop([node.variable.name], node.body);
    return (run) => {
      const a = start(run);
      const b = limit(run);
      const s = step === null ? 1 : step(run);
      if (typeof a !== 'number' || typeof b !== 'number' || typeof s !== 'number' || s === 0 || Number.isNaN(s)) throw BAIL;
      for (let i = a; s > 0 ? i <= b : i >= b; i += s) {
        iterate(run);
        run.locals[slot] = i;
        const flow = body(run);
        if (flow === BROKE) break;
        if (flow === RETURNED) return RETURNED;
      }
      return NEXT;
    };
  }

  /** `for i, v in ipairs(t)`: t[1], t[2], … as the lazy table answers them, up to the first nil. */
  private ipairsFor(node: luaparse.ForGenericStatement): Stmt {
    const iterator = node.iterators.length === 1 ? node.iterators[0] : null;
    if (iterator === null || iterator.type !== 'CallExpression' || iterator.base.type !== 'Identifier'
      || iterator.base.name !== 'ipairs' || this.local('ipairs') !== undefined || iterator.arguments.length !== 1) {
      throw unsupported(node.type);
    }
    const table = this.expression(iterator.arguments[0]);
    const { slots, body } = this.loop(node.variables.map((v) => v.name), node.body);
    const [indexSlot, valueSlot, ...rest] = slots;
    return (run) => {
      const t = table(run);
      for (let i = 1; ; i++) {
        const value = index(run, t, i);   // a value that is not a table: BAIL, the VM raises
        if (value === undefined) break;
        iterate(run);
        run.locals[indexSlot] = i;
        if (valueSlot !== undefined) run.locals[valueSlot] = value;
        for (const slot of rest) run.locals[slot] = undefined;
        const flow = body(run);
        if (flow === BROKE) break;
        if (flow === RETURNED) return RETURNED;
      }
      return NEXT;
    };
  }

  /** The key of `a.b` or `a[k]`. */
  private key(node: luaparse.MemberExpression | luaparse.IndexExpression): Expr {
    if (node.type === 'MemberExpression') {
      if (node.indexer !== '.') throw new Unsupported('method');
      const name = node.identifier.name;
      return () => name;
    }
    return this.expression(node.index);
  }

  /** An expression used as a value (not a path of the sandbox's libraries). */
  private value(node: luaparse.Expression): Expr {
    const base = this.base(node);
    if (base.kind === 'static') throw new Unsupported(`${base.path} as a value`);
    return base.expr;
  }

  /** Paths from the sandbox's globals stay static (resolved here); everything else is a value. */
  private base(node: luaparse.Expression): Base {
    if (node.type === 'Identifier') {
      const slot = this.local(node.name);
      if (slot !== undefined) return { kind: 'value', expr: (run) => run.locals[slot] };
      if (!STATIC_ROOTS.has(node.name)) throw new Unsupported(`global ${node.name}`);
      return { kind: 'static', path: node.name };
    }
    if (node.type === 'MemberExpression' || node.type === 'IndexExpression') {
      const inner = this.base(node.base);
      if (inner.kind === 'static') {
        const name = staticKey(node);
        const path = `${inner.path}.${name}`;
        if (path === SHARED_PATH) return { kind: 'value', expr: () => SHARED_ROOT };
        if (!SHARED_PATH.startsWith(`${path}.`) && !isBuiltinPrefix(path)) throw new Unsupported(path);
        return { kind: 'static', path };
      }
      const table = inner.expr;
      const key = this.key(node);
      return { kind: 'value', expr: (run) => index(run, table(run), key(run)) };
    }
    return { kind: 'value', expr: this.expression(node) };
  }

  private expression(node: luaparse.Expression): Expr {
    switch (node.type) {
      case 'NilLiteral': return () => undefined;
      case 'BooleanLiteral': { const v = node.value; return () => v; }
      case 'NumericLiteral': {
        const v = node.value;
        if (!Number.isFinite(v)) throw new Unsupported('number');
        return () => v;
      }
      case 'StringLiteral': {
        if (!PLAIN_STRING.test(node.raw)) throw new Unsupported('string literal');
        const v = node.raw.slice(1, -1);
        return () => v;
      }
      case 'Identifier': case 'MemberExpression': case 'IndexExpression': return this.value(node);
      case 'CallExpression': return this.call(node);
      case 'LogicalExpression': {
        const left = this.expression(node.left);
        const right = this.expression(node.right);
        return node.operator === 'and'
          ? (run) => { const l = left(run); return truthy(l) ? right(run) : l; }
          : (run) => { const l = left(run); return truthy(l) ? l : right(run); };
      }
      case 'BinaryExpression': return this.binary(node);
      case 'UnaryExpression': {
        const arg = this.expression(node.argument);
        if (node.operator === 'not') return (run) => !truthy(arg(run));
        if (node.operator === '#') return (run) => lengthOf(arg(run));
        if (node.operator === '-') return (run) => negate(arg(run));
        throw new Unsupported(`unary ${node.operator}`);
      }
      case 'TableConstructorExpression': return this.table(node);
      default: throw unsupported(node.type);
    }
  }

  private binary(node: luaparse.BinaryExpression): Expr {
    const left = this.expression(node.left);
    const right = this.expression(node.right);
    // Both operands are evaluated, left first, before the operation, in Lua as here.
    const operation = OPERATIONS[node.operator];
    if (operation !== undefined) return (run) => { const l = left(run); return operation(l, right(run)); };
    // `a > b` is `b < a` in Lua.
    const swapped = SWAPPED_OPERATIONS[node.operator];
    if (swapped !== undefined) return (run) => { const l = left(run); return swapped(right(run), l); };
    throw new Unsupported(`operator ${node.operator}`);
  }

  private table(node: luaparse.TableConstructorExpression): Expr {
    const fields = node.fields.map((field) => {
      let key: string;
      if (field.type === 'TableKeyString') key = field.key.name;
      else if (field.type === 'TableKey' && field.key.type === 'StringLiteral' && PLAIN_STRING.test(field.key.raw)) key = field.key.raw.slice(1, -1);
      else throw new Unsupported('table field');
      if (key === '__proto__' || reorderedKey(key)) throw new Unsupported(`key ${key}`);
      return { key, value: this.expression(field.value) };
    });
    return (run) => {
      const made = newTable(run);
      for (const { key, value } of fields) {
        const v = value(run);
        if (v === undefined) delete made[key];
        else {
          if (!storable(run, v)) throw BAIL;
          made[key] = v;
        }
      }
      return made;
    };
  }

  private call(node: luaparse.CallExpression): Expr {
    const callee = this.base(node.base);
    if (callee.kind !== 'static') throw new Unsupported('call of a value');
    const builtin: Builtin | undefined = BUILTINS.get(callee.path);
    if (!builtin) throw new Unsupported(`call of ${callee.path}`);
    const args = node.arguments.map((a) => this.expression(a));
    return (run) => {
      const values = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) values[i] = args[i](run);
      return builtin(run, values);
    };
  }
}

function staticKey(node: luaparse.MemberExpression | luaparse.IndexExpression): string {
  if (node.type === 'MemberExpression') {
    if (node.indexer !== '.') throw new Unsupported('method');
    return node.identifier.name;
  }
  if (node.index.type === 'StringLiteral' && PLAIN_STRING.test(node.index.raw)) return node.index.raw.slice(1, -1);
  throw new Unsupported('computed key on a library');
}

function isBuiltinPrefix(path: string): boolean {
  for (const name of BUILTINS.keys()) if (name === path || name.startsWith(`${path}.`)) return true;
  return false;
}

/**
 * The snippet as closures, or null when it uses anything outside the covered part (the VM runs
 * it then, as before). Assumes the sandbox: kong, string and tostring are the read-only copies.
 */
export function compileDirect(source: string): DirectCompilation {
  let ast: luaparse.Chunk;
  try {
    ast = luaparse.parse(source, { luaVersion: 'LuaJIT', comments: false, scope: false, locations: false, ranges: false } as luaparse.Options);
  } catch {
    return { snippet: null, reason: 'not covered: syntax the direct compiler does not read' };
  }
  const compiler = new Compiler();
  let body: Stmt[];
  try {
    body = compiler.chunk(ast.body);
  } catch (error) {
    if (error instanceof Unsupported) return { snippet: null, reason: `not covered: ${error.message}` };
    throw error;
  }
  const slots = compiler.slots;
  const snippet: DirectSnippet = {
    run(scope: PdkScope): boolean {
      const run: DirectRun = { scope, journal: new Journal(), locals: new Array<unknown>(slots), edited: false, made: null, iterations: 0 };
      try {
        for (let i = 0; i < body.length; i++) if (body[i](run) !== NEXT) break;
      } catch (error) {
        if (error !== STOP) {
          run.journal.rollback();
          if (error === BAIL) return false;
          throw error;
        }
      }
      if (run.edited) scope.directEdits = true;
      return true;
    },
  };
  return { snippet, reason: null };
}
