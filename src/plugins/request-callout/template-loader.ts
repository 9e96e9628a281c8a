// Finds the template compiler (src/template/compile.ts) at run time, so this plugin builds while
// that module is being written in parallel. Replace with a static import once it has landed.
import * as path from 'node:path';
import type { LuaEngine } from '../../lua/engine';
import type { PdkScope } from '../../pdk/scope';

export interface CompiledTemplateLike {
  render(scope: PdkScope): string | Promise<string>;
}
export type CompileTemplate = (engine: LuaEngine, text: string, chunkName: string) => CompiledTemplateLike;

let cached: CompileTemplate | null = null;

export function loadCompileTemplate(): CompileTemplate {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, '..', '..', 'template', 'compile')) as { compileTemplate: CompileTemplate };
  cached = mod.compileTemplate;
  return cached;
}
