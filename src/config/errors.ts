// Typed configuration errors. Every problem found while loading a file is collected as a
// ConfigIssue so that one run reports all of them, as `kong config parse` users expect.

export interface ConfigIssue {
  /** Dotted path inside the file, arrays 1-based as Kong prints them, e.g. `plugins[1].config.callouts[1].name`. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the source file, when it could be located. */
  readonly line?: number;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? '' : `${issue.path}: `;
  return `${where}${issue.message}`;
}

/** The file (or settings source) is invalid; `issues` lists every problem found. */
export class ConfigValidationError extends Error {
  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly file: string | null = null,
  ) {
    super(ConfigValidationError.describe(issues, file));
    this.name = 'ConfigValidationError';
  }

  private static describe(issues: readonly ConfigIssue[], file: string | null): string {
    const head = `${file ?? 'configuration'}: ${issues.length} error${issues.length === 1 ? '' : 's'}`;
    const lines = issues.map((issue) => {
      const line = issue.line !== undefined && file !== null ? `${file}:${issue.line}: ` : '';
      return `  ${line}${formatIssue(issue)}`;
    });
    return [head, ...lines].join('\n');
  }
}

export interface SettingsIssue {
  readonly key: string;
  /** Where the bad value came from: `kong.conf:12`, `KONG_LOG_LEVEL`, ... */
  readonly source: string;
  readonly reason: string;
}

/** One or more kong.conf / environment settings have bad values; all of them are listed. */
export class SettingsError extends Error {
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(issues.map((issue) => `${issue.source}: ${issue.key}: ${issue.reason}`).join('\n'));
    this.name = 'SettingsError';
  }
}
