// Template values of the config (url, custom values, error_response_msg), compiled once. A value
// without template syntax is a constant and never enters the VM.
import type { LuaEngine } from '../../lua/engine';
import { LuaError } from '../../lua/errors';
import type { PdkScope } from '../../pdk/scope';
import { compileTemplate, TemplateExitError } from '../../template/compile';
import { hasTemplateSyntax } from '../../template/parse';
import { CalloutCodeError } from './errors';
import type { CustomMap } from './config';

export const CHUNK_NAME = 'request-callout';

export interface TextValue {
  /** Where the value comes from, e.g. `callouts[1].request.headers.custom.X-A` (for logs). */
  readonly site: string;
  /** The value itself when it has no template syntax. */
  readonly constant: string | null;
  /**
   * Renders against the request of `scope`; throws CalloutCodeError on a Lua error. Synchronous:
   * a template never waits on the host (one that would, e.g. reading an unread body, raises).
   */
  render(scope: PdkScope): string;
}

/** kong.response.exit ran inside a template: the answer is on the exchange, nothing else runs. */
export class TemplateExited extends Error {
  constructor(readonly site: string) {
    super(`${site}: kong.response.exit called from a template`);
    this.name = 'TemplateExited';
  }
}

function wrap(site: string, error: unknown): Error {
  if (error instanceof TemplateExitError) return new TemplateExited(site);
  if (error instanceof LuaError) return new CalloutCodeError(site, error.message, { cause: error });
  if (error instanceof CalloutCodeError) return error;
  return new CalloutCodeError(site, error instanceof Error ? error.message : String(error), { cause: error });
}

export function compileText(engine: LuaEngine, text: string, site: string): TextValue {
  if (!hasTemplateSyntax(text)) return { site, constant: text, render: () => text };
  const template = compileTemplate(engine, text, CHUNK_NAME);
  return {
    site,
    constant: null,
    render(scope: PdkScope): string {
      try {
        return template.render(scope);
      } catch (error) {
        throw wrap(site, error);
      }
    },
  };
}

/** One entry of a compiled `custom` map: null removes the field. */
export interface CustomEntry {
  readonly name: string;
  readonly value: TextValue | null;
}

export function compileCustom(engine: LuaEngine, custom: CustomMap, site: string): CustomEntry[] | null {
  if (!custom) return null;
  const entries = Object.entries(custom);
  if (entries.length === 0) return null;
  return entries.map(([name, value]) => ({
    name,
    value: value === null ? null : compileText(engine, value, `${site}.${name}`),
  }));
}

export type RenderedCustom = Array<[string, string | null]>;

/** Renders every entry first (all templates see the same request state), in config order. */
export function renderCustom(entries: readonly CustomEntry[], scope: PdkScope): RenderedCustom {
  return entries.map((entry): [string, string | null] => [entry.name, entry.value === null ? null : entry.value.render(scope)]);
}
