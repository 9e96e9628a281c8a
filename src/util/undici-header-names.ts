// undici lower-cases and re-validates every field name of every request it sends, unless the name
// is in its table of known names (name as written → lower case; about 100 standard fields). The
// gateway sends the same non-standard names on every request in their usual mixed case (X-Real-IP,
// X-Forwarded-*, X-Kong-Request-Id, the client's own fields): lower-casing and checking each one
// afresh cost about 3 % of passthrough throughput (measured served at once with and without).
// So names are added to that table once each, after the same token check undici would make.
//
// The table is undici's (lib/core/constants.js, pinned by package-lock); if a later undici drops it,
// registration turns into a no-op and spec/08-util/undici-header-names.spec.ts says so.
import { createRequire } from 'node:module';

export type NameTable = Record<string, string | undefined>;

/** Distinct names added at most: the table is never cleared, and client names are unbounded. */
export const MAX_REGISTERED_NAMES = 2048;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function undiciNameTable(): NameTable | null {
  try {
    const constants = createRequire(require.resolve('undici'))('./lib/core/constants.js') as { headerNameLowerCasedRecord?: unknown };
    const table = constants.headerNameLowerCasedRecord;
    return table !== null && typeof table === 'object' ? table as NameTable : null;
  } catch {
    return null;
  }
}

/** Registers names into `table` (name → lower case), `limit` distinct names at most. */
export function headerNameRegistry(table: NameTable | null, limit: number): (fields: readonly string[]) => void {
  let registered = 0;
  return (fields) => {
    if (table === null || registered >= limit) return;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i];
      if (table[name] !== undefined || !TOKEN.test(name)) continue;
      table[name] = name.toLowerCase();
      if (++registered >= limit) return;
    }
  };
}

const table = undiciNameTable();

/** True when undici's table was found (names given to `registerHeaderNames` become known to it). */
export const headerNamesRegistrable = table !== null;

/** Adds every valid field name of a flat [name, value, ...] list that undici does not know yet. */
export const registerHeaderNames = headerNameRegistry(table, MAX_REGISTERED_NAMES);

/** The lower-case name undici has on record for `name` (for specs). */
export function knownLowerCase(name: string): string | undefined {
  return table?.[name];
}
