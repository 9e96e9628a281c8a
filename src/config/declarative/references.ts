// Ids and cross-references between entities: given ids are kept, missing ones are derived from
// the entity's identity (stable across loads), names and ids must be unique per entity type,
// and a reference may name an entity by name or by id (string, or `{id}` / `{name}` as Kong
// exports foreign keys).
import type { IssueCollector } from '../issues';
import { isPlainObject } from '../kong-schema/normalize';
import { formatPath } from '../path';
import type { Path } from '../path';
import { stableId } from '../ids';

export class EntityIndex {
  private readonly byId = new Map<string, Path>();
  private readonly byName = new Map<string, { id: string; path: Path }>();

  constructor(
    readonly kind: string,
    private readonly issues: IssueCollector,
  ) {}

  /** Registers an entity; returns its id (given or derived). `names` are its unique keys (name, username...). */
  register(path: Path, givenId: unknown, names: readonly [field: string, value: unknown][]): string {
    const primary = names.find(([, value]) => typeof value === 'string');
    const identity = primary !== undefined ? `${primary[0]}=${String(primary[1])}` : `@${formatPath(path)}`;
    const id = typeof givenId === 'string' ? givenId : stableId(this.kind, identity);
    const previous = this.byId.get(id);
    if (previous !== undefined) {
      this.issues.add([...path, 'id'], `uniqueness violation: '${this.kind}' entity with id set to '${id}' already declared at ${formatPath(previous)}`);
    } else {
      this.byId.set(id, path);
    }
    for (const [field, value] of names) {
      if (typeof value !== 'string') continue;
      const key = `${field}\0${value}`;
      const existing = this.byName.get(key);
      if (existing !== undefined) {
        this.issues.add([...path, field], `uniqueness violation: '${this.kind}' entity with ${field} set to '${value}' already declared at ${formatPath(existing.path)}`);
      } else {
        this.byName.set(key, { id, path });
      }
    }
    return id;
  }

  /** Resolves a reference by id or by any unique name field; reports and returns null when unknown. */
  resolve(reference: unknown, path: Path, label: string, nameFields: readonly string[]): string | null {
    let wanted: unknown = reference;
    if (isPlainObject(reference)) wanted = reference.id ?? reference.name ?? reference.username;
    if (typeof wanted !== 'string') {
      this.issues.add(path, 'expected a string (a name or an id)');
      return null;
    }
    if (this.byId.has(wanted)) return wanted;
    for (const field of nameFields) {
      const found = this.byName.get(`${field}\0${wanted}`);
      if (found !== undefined) return found.id;
    }
    this.issues.add(path, `invalid reference '${label}: ${wanted}' (no such entry in '${this.kind}')`);
    return null;
  }
}
