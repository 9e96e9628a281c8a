/** Reads `--name value` pairs given to a bench child process (backends and baselines). */
export function readFlag(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < argv.length ? argv[at + 1] : undefined;
}

export function requireFlag(argv: readonly string[], name: string): string {
  const value = readFlag(argv, name);
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

export function requirePort(argv: readonly string[], name: string): number {
  const port = Number(requireFlag(argv, name));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--${name} must be a TCP port`);
  return port;
}

/** Children exit cleanly on SIGTERM/SIGINT so the harness can stop them by pid. */
export function exitOnSignals(close: () => void): void {
  const stop = (): void => {
    close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
