// `luagate config parse FILE [-c kong.conf]`, like `kong config parse`: validates a declarative
// file with the effective settings and prints a summary (exit 0) or every error (exit 1).
import { ConfigValidationError, SettingsError, formatIssue } from '../config/errors';
import type { ConfigIssue } from '../config/errors';
import { loadDeclarativeConfigWithWarnings } from '../config/declarative/load';
import { readSettings } from '../config/settings';
import type { DeclarativeConfig } from '../config/types';

export interface ConfigParseIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const USAGE = 'usage: luagate config parse <file> [-c <kong.conf>]';

const defaultIo: ConfigParseIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function parseArguments(argv: readonly string[]): { file: string | null; conf: string | null } | { error: string } {
  let file: string | null = null;
  let conf: string | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-c' || arg === '--conf') {
      const value = argv[i + 1];
      if (value === undefined) return { error: `${arg} needs a file` };
      conf = value;
      i += 1;
    } else if (arg.startsWith('-')) {
      return { error: `unknown option ${arg}` };
    } else if (file === null) {
      file = arg;
    } else {
      return { error: `unexpected argument ${arg}` };
    }
  }
  return { file, conf };
}

function located(issue: ConfigIssue, file: string | null): string {
  const where = issue.line !== undefined && file !== null ? `${file}:${issue.line}: ` : '';
  return `${where}${formatIssue(issue)}`;
}

function names(items: readonly { readonly name?: string | null; readonly id: string }[]): string {
  if (items.length === 0) return '';
  return ` (${items.map((item) => item.name ?? item.id).join(', ')})`;
}

export function summarize(config: DeclarativeConfig): string[] {
  const routeName = new Map(config.routes.map((route) => [route.id, route.name ?? route.id]));
  const serviceName = new Map(config.services.map((service) => [service.id, service.name ?? service.id]));
  const consumerName = new Map(config.consumers.map((consumer) => [consumer.id, consumer.username ?? consumer.custom_id ?? consumer.id]));
  const pluginLines = config.plugins.map((plugin) => {
    const scope = [
      plugin.route !== null ? `route ${routeName.get(plugin.route)}` : null,
      plugin.service !== null ? `service ${serviceName.get(plugin.service)}` : null,
      plugin.consumer !== null ? `consumer ${consumerName.get(plugin.consumer)}` : null,
    ].filter((part) => part !== null);
    return `  ${plugin.name} ${scope.length === 0 ? '(global)' : `on ${scope.join(', ')}`}${plugin.enabled ? '' : ' [disabled]'}`;
  });
  return [
    `_format_version: ${config.formatVersion}`,
    `services: ${config.services.length}${names(config.services)}`,
    `routes: ${config.routes.length}${names(config.routes)}`,
    `consumers: ${config.consumers.length}${names(config.consumers.map((c) => ({ id: c.id, name: c.username ?? c.custom_id })))}`,
    `plugins: ${config.plugins.length}`,
    ...pluginLines,
  ];
}

export async function configParseCommand(argv: string[], io: ConfigParseIo = defaultIo): Promise<number> {
  const args = parseArguments(argv);
  if ('error' in args) {
    io.err(`${args.error}\n${USAGE}`);
    return 1;
  }
  try {
    const report = readSettings({ confPath: args.conf, env: io.env });
    report.warnings.forEach((warning) => io.err(`warning: ${warning}`));
    const file = args.file ?? report.settings.declarative_config;
    if (file === null) {
      io.err(`no declarative file given and declarative_config is not set\n${USAGE}`);
      return 1;
    }
    const result = loadDeclarativeConfigWithWarnings(file, report.settings, { env: io.env });
    result.warnings.forEach((warning) => io.err(`warning: ${located(warning, file)}`));
    io.out(`parse successful: ${file}`);
    summarize(result.config).forEach((line) => io.out(line));
    return 0;
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      io.err(`Error: ${error.file ?? 'configuration'} is invalid (${error.issues.length} error${error.issues.length === 1 ? '' : 's'}):`);
      error.issues.forEach((issue) => io.err(`  ${located(issue, error.file)}`));
      return 1;
    }
    if (error instanceof SettingsError) {
      io.err('Error: invalid settings:');
      error.issues.forEach((issue) => io.err(`  ${issue.source}: ${issue.key}: ${issue.reason}`));
      return 1;
    }
    throw error;
  }
}
