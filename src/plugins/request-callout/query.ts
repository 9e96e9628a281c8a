// Query strings as ngx.decode_args / ngx.encode_args see them: values are strings, `true` for a
// bare flag, arrays for repeated names. Encoding escapes everything but A-Za-z0-9-._~.

export type QueryValue = string | true | string[];
export type QueryTable = Record<string, QueryValue>;

function unescape(text: string): string {
  const plus = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** Parses `a=1&b&a=2` into { a: ['1', '2'], b: true }. */
export function parseQuery(raw: string, into: QueryTable = Object.create(null) as QueryTable): QueryTable {
  if (raw === '') return into;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = unescape(eq < 0 ? part : part.slice(0, eq));
    if (name === '') continue;
    const value: string | true = eq < 0 ? true : unescape(part.slice(eq + 1));
    const existing = into[name];
    if (existing === undefined) into[name] = value;
    else if (Array.isArray(existing)) existing.push(value === true ? '' : value);
    else into[name] = [existing === true ? '' : existing, value === true ? '' : value];
  }
  return into;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

export function escapeUri(text: string): string {
  if (UNRESERVED.test(text)) return text;
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Encodes a query table (insertion order); `false`/null values are skipped. */
export function encodeQuery(query: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const name of Object.keys(query)) {
    const value = query[name];
    if (!Array.isArray(value)) {
      out = appendArg(out, name, value);
      continue;
    }
    for (const v of value) out = appendArg(out, name, v);
  }
  return out;
}

function appendArg(query: string, name: string, value: unknown): string {
  let arg: string;
  if (value === true) arg = escapeUri(name);
  else if (typeof value === 'string' || typeof value === 'number') arg = `${escapeUri(name)}=${escapeUri(String(value))}`;
  else return query;
  return query === '' ? arg : `${query}&${arg}`;
}
