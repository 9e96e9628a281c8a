// Validates a value against a Kong-native field definition and returns it normalized the way
// Kong stores it: defaults filled, missing optional fields as null, missing required records
// expanded, sets de-duplicated, shorthand fields expanded. Every problem is reported with its
// path and Kong's message; the walk never stops at the first one.
import type { IssueCollector, RawIssue } from '../issues';
import type { Path } from '../path';
import type { EntityCheck, KongField, KongShorthandField, LuagateCheck } from './definition';
import { luaPatternToRegExp } from './lua-pattern';
import { runEntityCheck } from './entity-checks';

export interface CodeSite {
  readonly path: Path;
  readonly check: LuagateCheck;
  readonly value: string;
}

export type ReferenceResolution = { readonly value: string } | { readonly error: string };

export interface WalkContext {
  readonly issues: IssueCollector;
  /** Strings annotated with `luagate_check`, for the plugin-level checks that follow the walk. */
  readonly sites: CodeSite[];
  /** Deprecation notices (shorthand fields). */
  readonly warnings: RawIssue[];
  /** Resolves whole-value vault references in referenceable fields; when absent they stay as written. */
  readonly resolveReference?: (reference: string) => ReferenceResolution | null;
}

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const compiledPatterns = new WeakMap<KongField, RegExp>();

function patternOf(field: KongField & { match: string }): RegExp {
  let regexp = compiledPatterns.get(field);
  if (regexp === undefined) {
    regexp = luaPatternToRegExp(field.match);
    compiledPatterns.set(field, regexp);
  }
  return regexp;
}

/** Value for a field absent from the input (Kong's handling of a missing field on insert). */
export function missingFieldValue(field: KongField, path: Path, ctx: WalkContext): unknown {
  if (field.default !== undefined) return structuredClone(field.default);
  if (field.required !== true) return null;
  if (field.type === 'record') return normalizeRecord({}, field, path, ctx);
  ctx.issues.add(path, 'required field missing');
  return null;
}

export function normalizeField(value: unknown, field: KongField, path: Path, ctx: WalkContext): unknown {
  if (value === undefined) return missingFieldValue(field, path, ctx);
  if (value === null) {
    if (field.required === true) ctx.issues.add(path, 'required field missing');
    return null;
  }
  switch (field.type) {
    case 'string':
      return normalizeString(value, field, path, ctx);
    case 'integer':
    case 'number':
      return normalizeNumber(value, field, path, ctx);
    case 'boolean':
      if (typeof value !== 'boolean') ctx.issues.add(path, 'expected a boolean');
      return value;
    case 'array':
    case 'set':
      return normalizeArray(value, field, path, ctx);
    case 'map':
      return normalizeMap(value, field, path, ctx);
    case 'record':
      return normalizeRecord(value, field, path, ctx);
  }
}

function normalizeString(value: unknown, field: KongField, path: Path, ctx: WalkContext): unknown {
  if (typeof value !== 'string') {
    ctx.issues.add(path, 'expected a string');
    return value;
  }
  let text = value;
  if (field.referenceable === true && ctx.resolveReference !== undefined) {
    const resolved = ctx.resolveReference(text);
    if (resolved !== null) {
      if ('error' in resolved) {
        ctx.issues.add(path, resolved.error);
        return value;
      }
      text = resolved.value;
    }
  }
  const error = stringRuleError(text, field);
  if (error !== null) {
    ctx.issues.add(path, error);
  } else if (field.luagate_check !== undefined) {
    ctx.sites.push({ path, check: field.luagate_check, value: text });
  }
  return text;
}

function stringRuleError(text: string, field: KongField): string | null {
  if (field.one_of !== undefined && !field.one_of.includes(text)) return `expected one of: ${field.one_of.join(', ')}`;
  if (field.uuid === true && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
    return 'expected a valid UUID';
  }
  const lenMin = field.len_min ?? 1; // Kong refuses empty strings unless a schema says otherwise
  if (text.length < lenMin) return `length must be at least ${lenMin}`;
  if (field.len_max !== undefined && text.length > field.len_max) return `length must be at most ${field.len_max}`;
  if (field.starts_with !== undefined && !text.startsWith(field.starts_with)) return `should start with: ${field.starts_with}`;
  if (field.match !== undefined && !patternOf(field as KongField & { match: string }).test(text)) return `invalid value: ${text}`;
  return null;
}

function normalizeNumber(value: unknown, field: KongField, path: Path, ctx: WalkContext): unknown {
  const isInteger = field.type === 'integer';
  if (typeof value !== 'number' || !Number.isFinite(value) || (isInteger && !Number.isInteger(value))) {
    ctx.issues.add(path, isInteger ? 'expected an integer' : 'expected a number');
    return value;
  }
  if (field.one_of !== undefined && !field.one_of.includes(value)) {
    ctx.issues.add(path, `expected one of: ${field.one_of.join(', ')}`);
  } else if (field.gt !== undefined && !(value > field.gt)) {
    ctx.issues.add(path, `value must be greater than ${field.gt}`);
  } else if (field.between !== undefined && (value < field.between[0] || value > field.between[1])) {
    ctx.issues.add(path, `value should be between ${field.between[0]} and ${field.between[1]}`);
  }
  return value;
}

function normalizeArray(value: unknown, field: KongField, path: Path, ctx: WalkContext): unknown {
  // A Lua table cannot tell `{}` from `[]`, so Kong takes an empty map for an empty array.
  const items = isPlainObject(value) && Object.keys(value).length === 0 ? [] : value;
  if (!Array.isArray(items)) {
    ctx.issues.add(path, field.type === 'set' ? 'expected a set' : 'expected an array');
    return value;
  }
  const elements = field.elements ?? { type: 'string' };
  const requiredElements: KongField = { ...elements, required: true };
  let out = items.map((item, index) => normalizeField(item, requiredElements, [...path, index], ctx));
  if (field.type === 'set') out = out.filter((item, index) => out.indexOf(item) === index);
  if (field.len_min !== undefined && out.length < field.len_min) ctx.issues.add(path, `length must be at least ${field.len_min}`);
  if (field.len_max !== undefined && out.length > field.len_max) ctx.issues.add(path, `length must be at most ${field.len_max}`);
  return out;
}

function normalizeMap(value: unknown, field: KongField, path: Path, ctx: WalkContext): unknown {
  if (!isPlainObject(value)) {
    ctx.issues.add(path, 'expected a map');
    return value;
  }
  const keys: KongField = { ...(field.keys ?? { type: 'string' }), required: true };
  // `values.required: false` lets a JSON null through (request-callout: null removes the key).
  const values: KongField = { ...(field.values ?? { type: 'string' }), required: field.values?.required !== false };
  const out: PlainObject = {};
  for (const [key, item] of Object.entries(value)) {
    normalizeField(key, keys, [...path, key], ctx);
    out[key] = normalizeField(item, values, [...path, key], ctx);
  }
  if (field.len_min !== undefined && Object.keys(out).length < field.len_min) {
    ctx.issues.add(path, `length must be at least ${field.len_min}`);
  }
  return out;
}

export function recordFields(field: KongField): [string, KongField][] {
  return (field.fields ?? []).map((entry) => {
    const [name, definition] = Object.entries(entry)[0];
    return [name, definition];
  });
}

export function normalizeRecord(value: unknown, field: KongField, path: Path, ctx: WalkContext): unknown {
  if (!isPlainObject(value)) {
    ctx.issues.add(path, 'expected a record');
    return value;
  }
  const input: PlainObject = { ...value };
  expandShorthands(input, field, path, ctx);
  const fields = recordFields(field);
  const known = new Set(fields.map(([name]) => name));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) ctx.issues.add([...path, key], 'unknown field');
  }
  const out: PlainObject = {};
  const invalid = new Set<string>();
  for (const [name, definition] of fields) {
    const before = ctx.issues.size;
    out[name] = normalizeField(input[name], definition, [...path, name], ctx);
    if (ctx.issues.size !== before) invalid.add(name);
  }
  for (const check of field.entity_checks ?? []) runEntityCheck(check as EntityCheck, out, invalid, path, ctx.issues);
  return out;
}

function expandShorthands(input: PlainObject, field: KongField, path: Path, ctx: WalkContext): void {
  for (const entry of field.shorthand_fields ?? []) {
    const [name, shorthand] = Object.entries(entry)[0] as [string, KongShorthandField];
    if (!(name in input)) continue;
    const value = input[name];
    delete input[name];
    if (value === null || value === undefined) continue;
    const shorthandPath = [...path, name];
    const before = ctx.issues.size;
    const normalized = normalizeField(value, shorthand, shorthandPath, ctx);
    if (ctx.issues.size !== before) continue;
    if (shorthand.deprecation?.message !== undefined) ctx.warnings.push({ path: shorthandPath, message: shorthand.deprecation.message });
    for (const target of shorthand.deprecation?.replaced_with ?? []) {
      const targetName = target.path[0];
      if (shorthand.luagate_expand === 'host_port_records') {
        const targetField = recordFields(field).find(([fieldName]) => fieldName === targetName)?.[1];
        input[targetName] = hostPortRecords(normalized as string[], targetField, shorthandPath, ctx);
      } else {
        input[targetName] = structuredClone(normalized);
      }
    }
  }
}

function hostPortRecords(addresses: string[], target: KongField | undefined, path: Path, ctx: WalkContext): PlainObject[] {
  const hostKey = target?.elements !== undefined ? recordFields(target.elements)[0]?.[0] ?? 'host' : 'host';
  return addresses.map((address, index) => {
    const match = /^(.+):(\d+)$/.exec(address);
    if (match === null) {
      ctx.issues.add([...path, index], `invalid value: ${address}`);
      return { [hostKey]: address };
    }
    return { [hostKey]: match[1], port: Number(match[2]) };
  });
}
