// Compiles a `$(...)` template once into a registry-held Lua function and renders it per request,
// synchronously, in the shared read-only template environment. Plain text costs nothing; plain
// field paths are rendered in JS when the fast path can prove it gives the VM's answer.
import type { LuaEngine, CompiledChunk } from '../lua/engine';
import type { LuaState } from '../lua/fengari';
import { LuaError } from '../lua/errors';
import { toText } from '../lua/marshal';
import type { PdkScope } from '../pdk/scope';
import { hasTemplateSyntax, parseTemplate } from './parse';
import { templateToLuaSource } from './lua-source';
import { templateEnv } from './env';
import { BAIL, planFastPath, renderFast } from './fast-path';
import type { FastPiece } from './fast-path';

/** A template tried to wait on the host (templates render synchronously). */
export class TemplateWaitError extends LuaError {
  constructor(chunkName: string) {
    super(`template ${chunkName} tried to wait on the host; templates must not call functions that wait`, chunkName);
  }
}

/** kong.response.exit was called from a template; the exit answer is on the exchange. */
export class TemplateExitError extends LuaError {
  constructor(chunkName: string) {
    super(`template ${chunkName} called kong.response.exit`, chunkName);
  }
}

export interface CompiledTemplate {
  readonly source: string;
  /** True when the value has no template syntax and renders to itself. */
  readonly isLiteral: boolean;
  /** Renders for one request: always a string. Throws LuaRuntimeError on a runtime error. */
  render(scope: PdkScope): string;
  /** Renders in the VM even when a fast path exists (for the differential specs). */
  renderInVm(scope: PdkScope): string;
  /** True when plain field paths let render() skip the VM. */
  readonly hasFastPath: boolean;
}

const readString = (L: LuaState, n: number): string => (n > 0 ? toText(L, n) ?? '' : '');

class LiteralTemplate implements CompiledTemplate {
  readonly isLiteral = true;
  readonly hasFastPath = true;
  constructor(readonly source: string) {}
  render(): string { return this.source; }
  renderInVm(): string { return this.source; }
}

class LuaTemplate implements CompiledTemplate {
  readonly isLiteral = false;
  readonly hasFastPath: boolean;

  constructor(
    readonly source: string,
    private readonly engine: LuaEngine,
    private readonly chunk: CompiledChunk,
    private readonly fast: readonly FastPiece[] | null,
  ) {
    this.hasFastPath = fast !== null;
  }

  render(scope: PdkScope): string {
    if (this.fast) {
      const out = renderFast(scope, this.fast);
      if (out !== BAIL) return out;
    }
    return this.renderInVm(scope);
  }

  renderInVm(scope: PdkScope): string {
    const previous = scope.noWait;
    scope.noWait = true;
    try {
      const outcome = this.engine.call(this.chunk, templateEnv(this.engine), scope, readString);
      if (outcome instanceof Promise) {
        outcome.catch(() => undefined);
        throw new TemplateWaitError(this.chunk.chunkName);
      }
      if (outcome.kind === 'stopped') throw new TemplateExitError(this.chunk.chunkName);
      return outcome.value;
    } finally {
      scope.noWait = previous;
    }
  }
}

/**
 * Compiles `text` (a `custom` value, an error message, a URL) once. Throws LuaSyntaxError for bad
 * Lua inside `$(...)` or a `#` line. `chunkName` appears in runtime errors (`[string "<name>"]:1:`).
 */
export function compileTemplate(engine: LuaEngine, text: string, chunkName: string): CompiledTemplate {
  if (!hasTemplateSyntax(text)) return new LiteralTemplate(text);
  const pieces = parseTemplate(text);
  const chunk = engine.compileFactory(templateToLuaSource(pieces), chunkName);
  templateEnv(engine);
  return new LuaTemplate(text, engine, chunk, planFastPath(pieces));
}
