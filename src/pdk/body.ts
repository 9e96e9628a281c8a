// Decoding of request bodies for kong.request.get_body(): form-urlencoded, JSON and multipart.
import { parseArgs } from './args';
import type { Args } from './args';

export const CONTENT_TYPE_FORM = 'application/x-www-form-urlencoded';
export const CONTENT_TYPE_JSON = 'application/json';
export const CONTENT_TYPE_MULTIPART = 'multipart/form-data';

const decoder = new TextDecoder('utf-8', { fatal: false });

export type DecodedBody =
  | { readonly kind: 'form'; readonly args: Args; readonly mime: string }
  | { readonly kind: 'json'; readonly value: object; readonly mime: string }
  | { readonly kind: 'multipart'; readonly args: Args; readonly mime: string }
  | { readonly kind: 'error'; readonly message: string };

/** Kong picks the decoder by prefix of the lower-cased content type (parameters ignored). */
export function decodeBody(body: Uint8Array, contentType: string | null, maxArgs: number): DecodedBody {
  if (contentType === null) return { kind: 'error', message: 'missing content type' };
  const lower = contentType.toLowerCase();
  if (lower.startsWith(CONTENT_TYPE_FORM)) {
    return { kind: 'form', args: parseArgs(decoder.decode(body), maxArgs), mime: CONTENT_TYPE_FORM };
  }
  if (lower.startsWith(CONTENT_TYPE_JSON)) {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(body));
    } catch {
      return { kind: 'error', message: 'invalid json body' };
    }
    if (typeof value !== 'object' || value === null) return { kind: 'error', message: 'invalid json body' };
    return { kind: 'json', value, mime: CONTENT_TYPE_JSON };
  }
  if (lower.startsWith(CONTENT_TYPE_MULTIPART)) {
    return { kind: 'multipart', args: parseMultipart(body, contentType), mime: CONTENT_TYPE_MULTIPART };
  }
  return { kind: 'error', message: `unsupported content type '${contentType}'` };
}

function boundaryOf(contentType: string): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

/** Form fields of a multipart body: name → value (repeated names become arrays). */
export function parseMultipart(body: Uint8Array, contentType: string): Args {
  const args: Args = new Map();
  const boundary = boundaryOf(contentType);
  if (!boundary) return args;
  const text = Buffer.from(body).toString('latin1');
  const parts = text.split(`--${boundary}`);
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const head = part.slice(0, headerEnd);
    const name = /content-disposition:[^\r\n]*?\bname="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    let value = part.slice(headerEnd + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    const decoded = decoder.decode(Buffer.from(value, 'latin1'));
    const existing = args.get(name);
    if (existing === undefined) args.set(name, decoded);
    else if (Array.isArray(existing)) existing.push(decoded);
    else args.set(name, [existing, decoded]);
  }
  return args;
}
