// The library and PDK functions a direct snippet may call, each doing what the function of the
// same name does in the VM (pdk/request.ts, pdk/service-request.ts, the string library) for the
// arguments it accepts; other arguments BAIL, and the VM raises or converts as it would.
import { firstHeader } from '../pdk/headers-table';
import { normalizeValue } from '../pdk/header-values';
import { setUpstreamHeader } from '../pdk/service-request';
import { BAIL, concatPart, wellFormed, type DirectRun } from './values';

/** One call: the arguments as evaluated, the first result (direct snippets use no others). */
export type Builtin = (run: DirectRun, args: readonly unknown[]) => unknown;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The C locale's toupper/tolower over UTF-8 bytes: only a-z / A-Z change, every other byte stays. */
function asciiCase(s: string, upper: boolean): string {
  if (ASCII_ONLY.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  return upper ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function stringOnly(v: unknown): string {
  if (typeof v !== 'string' || !wellFormed(v)) throw BAIL;
  return v;
}

const getHeader: Builtin = (run, args) => firstHeader(run.scope.exchange.request.headers, stringOnly(args[0]));

const setHeader: Builtin = (run, args) => {
  const name = stringOnly(args[0]);
  const value = args[1];
  let values: string[];
  if (typeof value === 'string') values = [normalizeValue(stringOnly(value))];
  else if (typeof value === 'boolean') values = [String(value)];
  else throw BAIL;   // numbers are spelled by luaL_tolstring; tables validated element by element
  const upstream = run.scope.exchange.upstream;
  const before = upstream.headers.getAll(name);
  const hostBefore = upstream.hostHeader;
  run.journal.record(() => {
    if (before.length > 0) upstream.headers.set(name, before);
    else upstream.headers.delete(name);
    upstream.hostHeader = hostBefore;
  });
  setUpstreamHeader(upstream, name, values);
  return undefined;
};

const tostring: Builtin = (_run, args) => {
  const v = args[0];
  if (v === undefined) { if (args.length === 0) throw BAIL; return 'nil'; }   // tostring() raises
  if (typeof v === 'boolean') return String(v);
  return concatPart(v);
};

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['kong.request.get_header', getHeader],
  ['kong.service.request.set_header', setHeader],
  ['string.upper', (_run, args) => asciiCase(stringOnly(args[0]), true)],
  ['string.lower', (_run, args) => asciiCase(stringOnly(args[0]), false)],
  ['tostring', tostring],
]);
