// Effective settings as Kong computes them: defaults, then the kong.conf file (`-c`), then
// KONG_* (Kong's keys) / LUAGATE_* (luagate's own keys) environment variables on top.
import * as fs from 'node:fs';
import { SettingsError } from './errors';
import type { SettingsIssue } from './errors';
import { SETTING_DEFINITIONS } from './settings-definitions';
import type { SettingDefinition } from './settings-definitions';
import type { Settings } from './types';

export interface SettingsSources {
  /** kong.conf path; null/absent = no file. */
  readonly confPath?: string | null;
  /** Environment to read KONG_* / LUAGATE_* from; process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface SettingsReport {
  readonly settings: Settings;
  /** Where each value came from: `default`, `kong.conf:3`, `KONG_LOG_LEVEL`. */
  readonly origins: Readonly<Record<keyof Settings, string>>;
  /** kong.conf keys luagate does not use (ignored, as Kong ignores unknown properties). */
  readonly warnings: readonly string[];
}

interface RawValue {
  readonly value: string;
  readonly source: string;
}

/** Parses `key = value` lines; `#` starts a comment unless escaped as `\#`. */
export function parseKongConf(text: string, file: string): { values: Map<string, RawValue>; issues: SettingsIssue[] } {
  const values = new Map<string, RawValue>();
  const issues: SettingsIssue[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const source = `${file}:${index + 1}`;
    const uncommented = line.replace(/(^|[^\\])#.*$/, '$1').replace(/\\#/g, '#').trim();
    if (uncommented === '') return;
    const equals = uncommented.indexOf('=');
    if (equals <= 0) {
      issues.push({ key: uncommented, source, reason: 'expected a `key = value` line' });
      return;
    }
    const key = uncommented.slice(0, equals).trim().toLowerCase();
    values.set(key, { value: uncommented.slice(equals + 1).trim(), source });
  });
  return { values, issues };
}

export function readSettings(sources: SettingsSources = {}): SettingsReport {
  const env = sources.env ?? process.env;
  const issues: SettingsIssue[] = [];
  const warnings: string[] = [];
  let fileValues = new Map<string, RawValue>();
  if (sources.confPath !== undefined && sources.confPath !== null) {
    let text: string;
    try {
      text = fs.readFileSync(sources.confPath, 'utf8');
    } catch (error) {
      throw new SettingsError([{ key: 'conf', source: sources.confPath, reason: `cannot read configuration file: ${(error as Error).message}` }]);
    }
    const parsed = parseKongConf(text, sources.confPath);
    fileValues = parsed.values;
    issues.push(...parsed.issues);
    const known = new Set(SETTING_DEFINITIONS.map((definition) => definition.key as string));
    for (const [key, raw] of fileValues) if (!known.has(key)) warnings.push(`${raw.source}: '${key}' is not used by luagate (ignored)`);
  }
  const settings: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const definition of SETTING_DEFINITIONS) {
    const raw = pick(definition, fileValues, env);
    const parsed = (definition as SettingDefinition).parse(raw.value);
    if ('error' in parsed) {
      issues.push({ key: definition.key, source: raw.source, reason: parsed.error });
      continue;
    }
    settings[definition.key] = Array.isArray(parsed.value) ? Object.freeze([...parsed.value]) : parsed.value;
    origins[definition.key] = raw.source;
  }
  if (issues.length > 0) throw new SettingsError(issues);
  return { settings: Object.freeze(settings) as unknown as Settings, origins: origins as SettingsReport['origins'], warnings };
}

function pick(definition: SettingDefinition, fileValues: ReadonlyMap<string, RawValue>, env: NodeJS.ProcessEnv): RawValue {
  const fromEnv = env[definition.env];
  if (fromEnv !== undefined) return { value: fromEnv, source: definition.env };
  return fileValues.get(definition.key) ?? { value: definition.default, source: 'default' };
}

/** Effective settings; throws SettingsError listing every bad value with its key and source. */
export function loadSettings(sources: SettingsSources = {}): Settings {
  return readSettings(sources).settings;
}

/** Kong's defaults, ignoring files and the environment (tests, embedding). */
export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return Object.freeze({ ...readSettings({ env: {} }).settings, ...overrides });
}
