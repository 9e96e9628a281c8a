// Small shared pieces of the cache specs.

import { execFile } from 'child_process';
import { join } from 'path';
import type { CacheLogLevel, CalloutCacheConfig, CachedEntry } from '../../src/cache';

export interface CollectedLog {
  readonly lines: Array<[CacheLogLevel, string]>;
  readonly log: (level: CacheLogLevel, message: string) => void;
  warnings(): string[];
}

export function collectingLogger(): CollectedLog {
  const lines: Array<[CacheLogLevel, string]> = [];
  return {
    lines,
    log: (level, message) => lines.push([level, message]),
    warnings: () => lines.filter(([level]) => level === 'warn').map(([, message]) => message),
  };
}

/** Re-runs `probe` until `accept` holds or the deadline passes; returns the last value. */
export async function pollUntil<T>(probe: () => T | Promise<T>, accept: (v: T) => boolean, deadlineMs: number): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface OtherInstanceResult {
  pid: number;
  result: CachedEntry | null;
  warnings: string[];
}

/** Runs one cache operation in a separate Node process (another gateway instance). */
export function inOtherInstance(config: CalloutCacheConfig, args: string[]): Promise<OtherInstanceResult> {
  const script = join(__dirname, 'other-instance.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(config), ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`other instance failed: ${err.message} ${stderr}`));
      else resolve(JSON.parse(stdout) as OtherInstanceResult);
    });
  });
}
