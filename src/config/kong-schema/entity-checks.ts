// Kong's cross-field ("entity") checks, with Kong's messages. Errors land on the record's path.
import type { IssueCollector } from '../issues';
import type { Path } from '../path';
import type { EntityCheck } from './definition';

function isNonEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

const quoted = (names: readonly string[]): string => names.map((name) => `'${name}'`).join(', ');

export function runEntityCheck(
  check: EntityCheck,
  record: Readonly<Record<string, unknown>>,
  invalid: ReadonlySet<string>,
  path: Path,
  issues: IssueCollector,
): void {
  if ('mutually_required' in check) {
    const names = check.mutually_required;
    if (names.some((name) => invalid.has(name))) return;
    const set = names.filter((name) => isNonEmpty(record[name])).length;
    if (set !== 0 && set !== names.length) issues.add(path, `all or none of these fields must be set: ${quoted(names)}`);
  } else if ('at_least_one_of' in check) {
    if (!check.at_least_one_of.some((name) => isNonEmpty(record[name]))) {
      issues.add(path, `at least one of these fields must be non-empty: ${quoted(check.at_least_one_of)}`);
    }
  } else if ('only_one_of' in check) {
    if (check.only_one_of.filter((name) => isNonEmpty(record[name])).length > 1) {
      issues.add(path, `only one of these fields must be non-empty: ${quoted(check.only_one_of)}`);
    }
  } else if ('conditional' in check) {
    const { if_field, if_match, then_field, then_match } = check.conditional;
    if (invalid.has(if_field) || invalid.has(then_field)) return;
    const ifValue = record[if_field];
    const applies = (if_match.eq === undefined || ifValue === if_match.eq) && (if_match.one_of === undefined || if_match.one_of.includes(ifValue));
    if (!applies) return;
    const thenValue = record[then_field];
    const failsRequired = then_match.required === true && (thenValue === null || thenValue === undefined);
    const failsEq = then_match.eq !== undefined && thenValue !== then_match.eq;
    if (failsRequired || failsEq) {
      issues.add([...path, then_field], failsRequired ? 'required field missing' : `value must be ${String(then_match.eq)}`);
      issues.add(path, `failed conditional validation given value of field '${if_field}'`);
    }
  }
  // custom_entity_check: Kong's function bodies are not exported; nothing to run.
}
