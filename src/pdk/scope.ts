// The per-request state the PDK works on. The host passes a PdkScope as the `host` of every
// engine.call; PDK functions read it back with `engine.currentHost`.
import type { Exchange } from './exchange';
import type { RawTable } from '../lua/raw-table';

export interface PdkScope {
  readonly exchange: Exchange;
  /**
   * kong.ctx.shared once Lua has asked for it (a lazy table over `sharedSource`), null before. The
   * plugin and the template fast paths look it up several times per callout, so it has a field of
   * its own rather than an entry in `tables`.
   */
  sharedTable: RawTable | null;
  /**
   * The other per-request Lua tables (ngx.ctx, kong.ctx.plugin per plugin id, the headers table of
   * templates...), the map made on first use (scopeTables) and dropped with `releaseScope`. Held as
   * fengari's table objects: fengari's memory is JS's, so a plain reference keeps a table alive,
   * and it is pushed back with pushTable. A registry reference per table cost a registry write on
   * creation and another on release, on every request that used Lua.
   */
  tables: Map<string, RawTable> | null;
  /** The plugin instance whose code runs now (kong.ctx.plugin, log prefixes). */
  plugin: { readonly name: string; readonly id: string } | null;
  /** Where the running snippet came from (e.g. `callouts[1].request.by_lua`), for log lines. */
  snippet: string | null;
  /**
   * Set while a template renders: templates are synchronous, so PDK functions that would wait on
   * the host (reading an unread request body) raise an error instead.
   */
  noWait: boolean;
  /** kong.ctx.shared fields held in JS, the source of Lua's lazy shared table (shared-fields.ts). */
  sharedSource: Record<string, unknown> | undefined;
  /**
   * A direct snippet (snippet/compile.ts) changed JS-held values of kong.ctx.shared in place: the
   * plugin reads them back as it would after Lua, instead of assuming they are as it made them.
   */
  directEdits: boolean;
}

export function createScope(exchange: Exchange): PdkScope {
  return { exchange, sharedTable: null, tables: null, plugin: null, snippet: null, noWait: false, sharedSource: undefined, directEdits: false };
}

/** The scope's map of per-request tables, made on first use. */
export function scopeTables(scope: PdkScope): Map<string, RawTable> {
  return scope.tables ??= new Map();
}
