// Loads Kong-native schema data from schema/ and checks its shape with ajv against
// schema/kong-schema.meta.json, so a typo in a data file fails loudly at startup.
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EntityCheck, KongField } from './definition';

export interface KongSchemaFile {
  readonly name?: string;
  readonly priority?: number;
  readonly fields: KongField['fields'] & object;
  readonly entity_checks?: readonly EntityCheck[];
}

export class SchemaDataError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`invalid schema data ${file}: ${reason}`);
    this.name = 'SchemaDataError';
  }
}

/** schema/ at the repository root, both from src/ (ts-node) and from dist/src/ (compiled). */
export function schemaDirectory(): string {
  const candidates = [path.resolve(__dirname, '../../../schema'), path.resolve(__dirname, '../../../../schema')];
  const found = candidates.find((candidate) => fs.existsSync(path.join(candidate, 'kong-schema.meta.json')));
  if (found === undefined) throw new SchemaDataError('schema/', `not found near ${__dirname}`);
  return found;
}

let validateMeta: ((data: unknown) => boolean) & { errors?: unknown } | undefined;

function metaValidator(): NonNullable<typeof validateMeta> {
  if (validateMeta === undefined) {
    const meta = JSON.parse(fs.readFileSync(path.join(schemaDirectory(), 'kong-schema.meta.json'), 'utf8')) as object;
    validateMeta = new Ajv({ allErrors: true, strict: false }).compile(meta);
  }
  return validateMeta;
}

/** Reads `schema/<relative>` and returns it as a record field definition. */
export function loadKongSchema(relative: string): KongField & KongSchemaFile {
  const file = path.join(schemaDirectory(), relative);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as KongSchemaFile;
  const validate = metaValidator();
  if (!validate(data)) throw new SchemaDataError(relative, JSON.stringify(validate.errors));
  return { ...data, type: 'record' };
}
