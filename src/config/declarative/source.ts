// Reads a declarative file (YAML 1.2, which also covers JSON) and keeps the parsed document so
// that a problem found later can be reported with its line number.
import * as fs from 'node:fs';
import { LineCounter, parseDocument, isNode, isScalar, visit } from 'yaml';
import type { Document } from 'yaml';
import { ConfigValidationError } from '../errors';
import type { ConfigIssue } from '../errors';
import type { Path } from '../path';

export interface DeclarativeSource {
  readonly file: string;
  readonly data: unknown;
  /** 1-based line of the value at `path`, or of its closest existing ancestor. */
  locate(path: Path): number | undefined;
}

export function readDeclarativeFile(file: string): DeclarativeSource {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigValidationError([{ path: '', message: `cannot read declarative config: ${reason}` }], file);
  }
  return parseDeclarativeText(text, file);
}

export function parseDeclarativeText(text: string, file: string): DeclarativeSource {
  // JSON is far cheaper to parse natively; the YAML document is only built to locate problems.
  if (/^\s*[{[]/.test(text)) {
    try {
      const data: unknown = JSON.parse(text);
      let parsed: DeclarativeSource | undefined;
      return { file, data, locate: (path) => (parsed ??= parseYaml(text, file)).locate(path) };
    } catch {
      // not strict JSON (or flow-style YAML): fall through to the YAML parser for its messages
    }
  }
  return parseYaml(text, file);
}

function parseYaml(text: string, file: string): DeclarativeSource {
  const lineCounter = new LineCounter();
  // yaml's own unique-key check is quadratic-ish on big files; duplicateKeys() does it in one pass.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const problems = [
    ...document.errors.map((error) => ({ message: error.message.split('\n')[0], offset: error.pos[0] })),
    ...duplicateKeys(document),
  ];
  if (problems.length > 0) {
    const issues: ConfigIssue[] = problems.map((problem) => ({
      path: '',
      message: `invalid YAML/JSON: ${problem.message}`,
      line: lineCounter.linePos(problem.offset).line,
    }));
    throw new ConfigValidationError(issues, file);
  }
  const data: unknown = document.toJS({ maxAliasCount: 1000 });
  return { file, data, locate: (path) => locateInDocument(document, lineCounter, path) };
}

function duplicateKeys(document: Document): { message: string; offset: number }[] {
  const found: { message: string; offset: number }[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) found.push({ message: `Map keys must be unique: ${String(pair.key.value)}`, offset: pair.key.range?.[0] ?? 0 });
        seen.add(pair.key.value);
      }
    },
  });
  return found;
}

function locateInDocument(document: Document, lineCounter: LineCounter, path: Path): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
