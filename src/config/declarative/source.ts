// Reads a declarative file (YAML 1.2, which also covers JSON) and keeps the parsed document so
// that a problem found later can be reported with its line number.
import * as fs from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues: ConfigIssue[] = document.errors.map((error) => ({
      path: '',
      message: `invalid YAML/JSON: ${error.message.split('\n')[0]}`,
      line: lineCounter.linePos(error.pos[0]).line,
    }));
    throw new ConfigValidationError(issues, file);
  }
  const data: unknown = document.toJS({ maxAliasCount: 1000 });
  return { file, data, locate: (path) => locateInDocument(document, lineCounter, path) };
}

function locateInDocument(document: Document, lineCounter: LineCounter, path: Path): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
