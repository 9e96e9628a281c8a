// The settings luagate reads, with Kong's names, env vars and defaults, and how each raw
// string value is parsed. docs/configuration.md mirrors this table.
import * as fs from 'node:fs';
import { parseListen } from './listen';
import type { AccessLogSetting, AccessLogTarget, KongLogLevel, Settings } from './types';

export type ParsedValue<T> = { readonly value: T } | { readonly error: string };

export interface SettingDefinition<K extends keyof Settings = keyof Settings> {
  readonly key: K;
  readonly env: string;
  /** Default as it would be written in kong.conf. */
  readonly default: string;
  readonly parse: (raw: string) => ParsedValue<Settings[K]>;
  readonly description: string;
}

const ok = <T>(value: T): ParsedValue<T> => ({ value });
const fail = <T>(error: string): ParsedValue<T> => ({ error });

/** Kong list values: comma separated, spaces around items ignored, empty string = empty list. */
export function parseList(raw: string): string[] {
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function oneOf<T extends string>(options: readonly T[]) {
  return (raw: string): ParsedValue<T> =>
    (options as readonly string[]).includes(raw.trim()) ? ok(raw.trim() as T) : fail(`invalid value '${raw}', expected one of: ${options.join(', ')}`);
}

/** Kong's boolean spelling in kong.conf: on/off (also true/false). */
function onOff(raw: string): ParsedValue<boolean> {
  const v = raw.trim().toLowerCase();
  if (v === 'on' || v === 'true') return ok(true);
  if (v === 'off' || v === 'false') return ok(false);
  return fail(`invalid value '${raw}', expected on or off`);
}

function positiveInteger(raw: string): ParsedValue<number> {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) && Number(trimmed) > 0 ? ok(Number(trimmed)) : fail(`invalid value '${raw}', expected a positive integer`);
}

/** A whole percentage from 0 to 400. */
function percent(raw: string): ParsedValue<number> {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) && Number(trimmed) <= 400 ? ok(Number(trimmed)) : fail(`invalid value '${raw}', expected a whole number from 0 to 400`);
}

/** Sizes as Kong writes them: `67108864`, `64k`, `64m`, `1g`. */
function size(raw: string): ParsedValue<number> {
  const match = /^(\d+)([kmg]?)$/i.exec(raw.trim());
  if (match === null || Number(match[1]) === 0) return fail(`invalid size '${raw}', expected e.g. 1048576, 512k, 64m`);
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return ok(Number(match[1]) * factor);
}

const KNOWN_HEADERS = [
  'server_tokens', 'latency_tokens', 'Server', 'Via', 'X-Kong-Upstream-Latency', 'X-Kong-Proxy-Latency',
  'X-Kong-Response-Latency', 'X-Kong-Admin-Latency', 'X-Kong-Upstream-Status', 'X-Kong-Request-Id', 'off',
];

function headers(raw: string): ParsedValue<readonly string[]> {
  const list = parseList(raw);
  for (const item of list) {
    const known = KNOWN_HEADERS.find((name) => name.toLowerCase() === item.toLowerCase());
    if (known === undefined) return fail(`invalid header value '${item}' (expected one of: ${KNOWN_HEADERS.join(', ')})`);
  }
  if (list.length > 1 && list.some((item) => item.toLowerCase() === 'off')) return fail("'off' cannot be combined with other values");
  return ok(list.map((item) => KNOWN_HEADERS.find((name) => name.toLowerCase() === item.toLowerCase()) as string));
}

function trustedCertificates(raw: string): ParsedValue<readonly string[]> {
  const list = parseList(raw);
  const missing = list.find((item) => item !== 'system' && !fs.existsSync(item));
  return missing === undefined ? ok(list) : fail(`certificate file not found: ${missing}`);
}

/** First token: `off`, `/dev/stdout`, `/dev/stderr` or a file path; nginx parameters may follow it. */
export function parseAccessLog(raw: string): ParsedValue<AccessLogSetting> {
  const [destination, ...ignoredParameters] = raw.trim().split(/\s+/).filter((token) => token !== '');
  if (destination === undefined) return fail('expected a file path, /dev/stdout, /dev/stderr or off');
  const target: AccessLogTarget =
    destination === 'off' ? { kind: 'off' }
      : destination === '/dev/stdout' ? { kind: 'stdout' }
        : destination === '/dev/stderr' ? { kind: 'stderr' }
          : { kind: 'file', path: destination };
  return ok(Object.freeze({ target: Object.freeze(target), ignoredParameters: Object.freeze(ignoredParameters) }));
}

const LOG_LEVELS: readonly KongLogLevel[] = ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'];

export const SETTING_DEFINITIONS: readonly SettingDefinition[] = [
  { key: 'declarative_config', env: 'KONG_DECLARATIVE_CONFIG', default: '', parse: (raw) => ok(raw.trim() === '' ? null : raw.trim()),
    description: 'Declarative configuration file (YAML or JSON) to serve.' },
  { key: 'proxy_listen', env: 'KONG_PROXY_LISTEN', default: '0.0.0.0:8000', parse: (raw) => {
    const parsed = parseListen(raw);
    return 'error' in parsed ? fail(parsed.error) : ok(parsed);
  }, description: 'Proxy listen addresses in Kong syntax (`ssl`, `http2` flags; `off`).' },
  { key: 'untrusted_lua', env: 'KONG_UNTRUSTED_LUA', default: 'sandbox', parse: oneOf(['off', 'sandbox', 'on'] as const),
    description: 'Whether configuration Lua (by_lua, `$(...)` templates) may run: off, sandbox or on.' },
  { key: 'untrusted_lua_sandbox_requires', env: 'KONG_UNTRUSTED_LUA_SANDBOX_REQUIRES', default: '', parse: (raw) => ok(parseList(raw)),
    description: 'Modules `require` may load in sandbox mode (comma list).' },
  { key: 'untrusted_lua_sandbox_environment', env: 'KONG_UNTRUSTED_LUA_SANDBOX_ENVIRONMENT', default: '', parse: (raw) => ok(parseList(raw)),
    description: 'Extra dotted global names exposed in sandbox mode (comma list).' },
  { key: 'log_level', env: 'KONG_LOG_LEVEL', default: 'notice', parse: oneOf(LOG_LEVELS), description: 'Minimum level of log lines.' },
  { key: 'nginx_worker_processes', env: 'KONG_NGINX_WORKER_PROCESSES', default: 'auto', parse: (raw) =>
    raw.trim() === 'auto' ? ok<'auto' | number>('auto') : positiveInteger(raw), description: 'Worker processes: `auto` (one per CPU) or a number.' },
  { key: 'lua_ssl_trusted_certificate', env: 'KONG_LUA_SSL_TRUSTED_CERTIFICATE', default: 'system', parse: trustedCertificates,
    description: 'CA certificates (PEM files, or `system`) used when a callout verifies TLS.' },
  { key: 'headers', env: 'KONG_HEADERS', default: 'server_tokens, latency_tokens, X-Kong-Request-Id', parse: headers,
    description: 'Headers luagate adds to responses, as Kong (`off` disables).' },
  { key: 'mem_cache_size', env: 'KONG_MEM_CACHE_SIZE', default: '128m', parse: size,
    description: 'Size of each memory-cache dictionary (request-callout `memory` strategy); least recently used entries are evicted.' },
  { key: 'proxy_access_log', env: 'KONG_PROXY_ACCESS_LOG', default: '/dev/stdout', parse: parseAccessLog,
    description: 'Where access lines go: a file path (appended), `/dev/stdout`, `/dev/stderr` or `off`.' },
  { key: 'callout_concurrency', env: 'LUAGATE_CALLOUT_CONCURRENCY', default: 'sequential', parse: oneOf(['sequential', 'parallel'] as const),
    description: 'luagate: run independent callouts one after another (Kong) or concurrently.' },
  { key: 'lua_time_budget_ms', env: 'LUAGATE_LUA_TIME_BUDGET_MS', default: '500', parse: positiveInteger,
    description: 'luagate: CPU time one Lua call (by_lua or template) may use before it fails with 500.' },
  { key: 'lua_max_string_bytes', env: 'LUAGATE_LUA_MAX_STRING_BYTES', default: '64m', parse: size,
    description: 'luagate: largest string a Lua snippet may build.' },
  { key: 'lua_max_pattern_steps', env: 'LUAGATE_LUA_MAX_PATTERN_STEPS', default: '5000000', parse: positiveInteger,
    description: 'luagate: step budget of one Lua pattern match (string.find/match/gsub/gmatch).' },
  { key: 'direct_snippets', env: 'LUAGATE_DIRECT_SNIPPETS', default: 'on', parse: onOff,
    description: 'luagate: run by_lua snippets that use only locals, fields, `if`, `..`, `==`, table constructors, kong.ctx.shared and a few PDK calls as JavaScript (same results; `off` runs every snippet in the Lua VM).' },
  { key: 'heap_growing_percent', env: 'LUAGATE_HEAP_GROWING_PERCENT', default: '130', parse: percent,
    description: 'luagate: how far the JS heap may grow past its live data before a full collection (V8 heap growing factor as 1 + percent/100); 0 leaves it to V8.' },
  { key: 'log_format', env: 'LUAGATE_LOG_FORMAT', default: 'plain', parse: oneOf(['plain', 'json'] as const),
    description: 'luagate: log lines as plain text or JSON objects.' },
];
