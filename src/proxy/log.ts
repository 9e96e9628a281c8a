// Error log (Kong's levels, stderr) and access log (one line per request; stdout unless
// proxy_access_log says otherwise), plain or JSON.
import * as fs from 'node:fs';
import type { AccessLogTarget } from '../config/types';
import type { LogLevel, LogSink } from '../pdk/exchange';

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = {
  debug: 0, info: 1, notice: 2, warn: 3, error: 4, crit: 5, alert: 6, emerg: 7,
};

export type LogFormat = 'plain' | 'json';

export interface LineWriter {
  write(line: string): void;
}

export interface AccessLogEntry {
  readonly requestId: string;
  readonly remoteAddress: string;
  readonly method: string;
  readonly path: string;            // path and query as received
  readonly httpVersion: string;
  readonly status: number;
  readonly bytesSent: number;
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
  readonly host: string;
  readonly routeId: string | null;
  readonly serviceId: string | null;
  readonly latencyMs: number;
  readonly upstreamLatencyMs: number | null;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly errorOut?: LineWriter;
  readonly accessOut?: LineWriter;
  /** false disables the access log (e.g. benchmarks). */
  readonly accessLog?: boolean;
}

const stderrWriter: LineWriter = { write: (line) => { process.stderr.write(line); } };

/**
 * Access lines are batched per event-loop turn: on Linux a write to a pipe or file is a
 * synchronous syscall, and one per request was a measurable share of the proxy's CPU. Lines still
 * queued when the process exits are written then.
 */
class BatchedLineWriter implements LineWriter {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly sink: (text: string) => void) {
    process.once('exit', () => this.flush());
  }

  write(line: string): void {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.sink(text);
  }
}

/** Created on first use, so a process that never logs an access line registers no exit hook. */
function lazyBatched(sink: (text: string) => void): LineWriter {
  let instance: BatchedLineWriter | null = null;
  return {
    write: (line) => {
      instance ??= new BatchedLineWriter(sink);
      instance.write(line);
    },
  };
}

const stdoutWriter = lazyBatched((text) => { process.stdout.write(text); });
const stderrAccessWriter = lazyBatched((text) => { process.stderr.write(text); });

/** The `proxy_access_log` file cannot be opened; `luagate start` refuses to start. */
export class AccessLogOpenError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`proxy_access_log: cannot open ${path}: ${reason}`);
    this.name = 'AccessLogOpenError';
  }
}

/**
 * Appends to a file opened once with O_APPEND. A batch of whole lines goes out in one synchronous
 * write, so workers appending to the same file do not interleave inside a line, and the exit hook
 * (where asynchronous writes never complete) loses nothing.
 */
function appendingFileWriter(filePath: string, onWriteError: (error: Error) => void): LineWriter {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'a');
  } catch (error) {
    throw new AccessLogOpenError(filePath, (error as Error).message);
  }
  // A run of failing batches (disk full...) is reported once, not once per event-loop turn.
  let failing = false;
  return new BatchedLineWriter((text) => {
    const bytes = Buffer.from(text);
    try {
      for (let offset = 0; offset < bytes.length;) offset += fs.writeSync(fd, bytes, offset);
      failing = false;
    } catch (error) {
      if (!failing) onWriteError(error as Error);
      failing = true;
    }
  });
}

/**
 * The writer for a `proxy_access_log` target, or null for `off`. Opens a file target at once, so a
 * path that cannot be opened fails here (AccessLogOpenError), not at the first request.
 */
export function openAccessLog(target: AccessLogTarget, onWriteError: (error: Error) => void): LineWriter | null {
  switch (target.kind) {
    case 'off': return null;
    case 'stdout': return stdoutWriter;
    case 'stderr': return stderrAccessWriter;
    case 'file': return appendingFileWriter(target.path, onWriteError);
  }
}

export class GatewayLogger implements LogSink {
  private readonly minRank: number;
  private readonly errorOut: LineWriter;
  private readonly accessOut: LineWriter | null;

  constructor(private readonly options: LoggerOptions) {
    this.minRank = LEVEL_RANK[options.level];
    this.errorOut = options.errorOut ?? stderrWriter;
    this.accessOut = options.accessLog === false ? null : options.accessOut ?? stdoutWriter;
  }

  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.minRank;
  }

  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void {
    if (LEVEL_RANK[level] < this.minRank) return;
    this.errorOut.write(this.options.format === 'json'
      ? formatJsonError(level, message, fields)
      : formatPlainError(level, message, fields));
  }

  /** False when proxy_access_log is off: callers skip building the entry. */
  get accessEnabled(): boolean {
    return this.accessOut !== null;
  }

  access(entry: AccessLogEntry): void {
    if (!this.accessOut) return;
    this.accessOut.write(this.options.format === 'json' ? formatJsonAccess(entry) : formatPlainAccess(entry));
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** nginx error-log time: 2025/01/31 13:04:05 (UTC). */
function errorLogTime(date: Date): string {
  return `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** nginx access-log time: 31/Jan/2025:13:04:05 +0000. */
function formatAccessLogTime(date: Date): string {
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

// Like nginx's cached time: formatted once per second, not once per line.
let accessTimeSecond = -1;
let accessTimeText = '';
function accessLogTime(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== accessTimeSecond) {
    accessTimeSecond = second;
    accessTimeText = formatAccessLogTime(new Date(now));
  }
  return accessTimeText;
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatPlainError(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): string {
  let line = `${errorLogTime(new Date())} [${level}] ${process.pid}#0: ${message}`;
  if (fields) {
    for (const key of Object.keys(fields)) line += `, ${key}: ${fieldText(fields[key])}`;
  }
  return line + '\n';
}

function formatJsonError(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): string {
  const record: Record<string, unknown> = { time: new Date().toISOString(), level, pid: process.pid, message };
  if (fields) {
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      record[key] = value instanceof Error ? { message: value.message, stack: value.stack } : value;
    }
  }
  return JSON.stringify(record) + '\n';
}

function quoted(value: string | undefined): string {
  return value === undefined || value === '' ? '"-"' : JSON.stringify(value);
}

function formatPlainAccess(e: AccessLogEntry): string {
  return `${e.remoteAddress} - - [${accessLogTime(Date.now())}] "${e.method} ${e.path} HTTP/${e.httpVersion}" ` +
    `${e.status} ${e.bytesSent} ${quoted(e.referer)} ${quoted(e.userAgent)} ` +
    `request_id=${e.requestId} latency=${e.latencyMs} upstream_latency=${e.upstreamLatencyMs ?? '-'}\n`;
}

function formatJsonAccess(e: AccessLogEntry): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    type: 'access',
    request_id: e.requestId,
    client_ip: e.remoteAddress,
    method: e.method,
    uri: e.path,
    http_version: e.httpVersion,
    host: e.host,
    status: e.status,
    bytes_sent: e.bytesSent,
    referer: e.referer ?? null,
    user_agent: e.userAgent ?? null,
    route_id: e.routeId,
    service_id: e.serviceId,
    latency_ms: e.latencyMs,
    upstream_latency_ms: e.upstreamLatencyMs,
  }) + '\n';
}
