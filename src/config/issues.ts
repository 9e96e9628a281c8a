// Collects problems while walking a configuration; nothing throws until the whole file is seen.
import type { Path } from './path';

export interface RawIssue {
  readonly path: Path;
  readonly message: string;
}

export class IssueCollector {
  private readonly items: RawIssue[] = [];

  add(path: Path, message: string): void {
    this.items.push({ path: [...path], message });
  }

  get list(): readonly RawIssue[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }
}
