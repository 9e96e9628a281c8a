// The per-request state the PDK works on. The host passes a PdkScope as the `host` of every
// engine.call; PDK functions read it back with `engine.currentHost`.
import type { Exchange } from './exchange';
import type { RawTable } from '../lua/raw-table';

export interface PdkScope {
  readonly exchange: Exchange;
  /**
   * Per-request Lua tables (kong.ctx.shared, ngx.ctx, kong.ctx.plugin per plugin id, the headers
   * table of templates...), created on first use and dropped with `releaseScope` when the request
   * ends. Held as fengari's table objects: fengari's memory is JS's, so a plain reference keeps a
   * table alive, and it is pushed back with pushTable. A registry reference per table cost a
   * registry write on creation and another on release, on every request that used Lua.
   */
  readonly tables: Map<string, RawTable>;
  /** The plugin instance whose code runs now (kong.ctx.plugin, log prefixes). */
  plugin: { readonly name: string; readonly id: string } | null;
  /** Where the running snippet came from (e.g. `callouts[1].request.by_lua`), for log lines. */
  snippet: string | null;
  /**
   * Set while a template renders: templates are synchronous, so PDK functions that would wait on
   * the host (reading an unread request body) raise an error instead.
   */
  noWait?: boolean;
  /** kong.ctx.shared fields held in JS, the source of Lua's lazy shared table (shared-fields.ts). */
  sharedSource?: Record<string, unknown>;
}

export function createScope(exchange: Exchange): PdkScope {
  return { exchange, tables: new Map(), plugin: null, snippet: null };
}
