// Helpers for the configuration specs: temp files and expecting a ConfigValidationError.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ConfigValidationError } from '../../src/config/errors';
import type { ConfigIssue } from '../../src/config/errors';
import { normalizePluginConfig } from '../../src/config/plugins/normalize-plugin';
import { defaultSettings } from '../../src/config/settings';
import type { Settings, UntrustedLuaMode } from '../../src/config/types';

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luagate-config-spec-'));
process.on('exit', () => fs.rmSync(tempDir, { recursive: true, force: true }));
let counter = 0;

export function writeTemp(content: string, extension = 'yaml'): string {
  counter += 1;
  const file = path.join(tempDir, `file-${counter}.${extension}`);
  fs.writeFileSync(file, content);
  return file;
}

export function writeYaml(document: unknown): string {
  return writeTemp(stringify(document));
}

export const settings = (overrides: Partial<Settings> = {}): Settings => defaultSettings(overrides);

export function issuesOf(action: () => unknown): readonly ConfigIssue[] {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues;
  }
  expect.fail('expected a ConfigValidationError');
}

export const lines = (issues: readonly ConfigIssue[]): string[] => issues.map((issue) => `${issue.path}: ${issue.message}`);

export function normalize(config: unknown, untrustedLua: UntrustedLuaMode = 'sandbox', env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  return normalizePluginConfig('request-callout', config, { untrustedLua, env });
}

export function configIssues(config: unknown, untrustedLua: UntrustedLuaMode = 'sandbox', env: NodeJS.ProcessEnv = {}): string[] {
  return lines(issuesOf(() => normalize(config, untrustedLua, env)));
}

/** A one-callout config with `request` merged in. */
export function oneCallout(request: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { callouts: [{ name: 'c1', request: { url: 'http://callout.test/token', ...request } }], ...extra };
}
