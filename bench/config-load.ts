// Load-time benchmark: a declarative file with N routes, each with a request-callout plugin
// carrying by_lua snippets and templates. Prints parse/validate time; `node dist/bench/config-load.js [N]`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { loadDeclarativeConfig } from '../src/config/declarative/load';
import { buildSnapshot, closeSnapshot } from '../src/config/snapshot';
import { createPluginSetup } from '../src/plugins/registry';
import { defaultSettings } from '../src/config/settings';

function routeWithCallout(index: number): Record<string, unknown> {
  return {
    name: `route-${index}`,
    paths: [index % 10 === 0 ? `~/r${index}/(?<id>\\d+)$` : `/r${index}`],
    methods: ['GET', 'POST'],
    plugins: [{
      name: 'request-callout',
      config: {
        callouts: [
          {
            name: 'auth',
            request: {
              url: 'http://127.0.0.1:9000/token',
              method: 'POST',
              headers: { custom: { 'X-Route': `route-${index}`, 'X-User': '$(headers.x_user)' } },
              body: { custom: { client: '$(query_params.client or "anonymous")' } },
              error: { on_error: 'retry', retries: 2, http_statuses: [500, 503], error_response_msg: 'auth failed: $(callouts.auth.response and callouts.auth.response.status)' },
              by_lua: `local h = kong.request.get_header("x-trace") or "none"\nkong.ctx.shared.callouts.auth.request.params.query = "trace=" .. ngx.escape_uri(h) .. "&r=${index}"`,
            },
            response: { body: { decode: true }, by_lua: 'if kong.ctx.shared.callouts.auth.response.status ~= 200 then kong.log.warn("auth status ", kong.ctx.shared.callouts.auth.response.status) end' },
          },
          {
            name: 'profile',
            depends_on: ['auth'],
            request: {
              url: '$("http://127.0.0.1:9000/profile/" .. (callouts.auth.response.body.user or "x"))',
              headers: { custom: { Authorization: 'Bearer $(callouts.auth.response.body.token)' } },
            },
            response: { body: { decode: true } },
          },
        ],
        cache: { strategy: 'memory', cache_ttl: 60 },
        upstream: {
          headers: { custom: { 'X-Profile': '$(callouts.profile.response.body.name)', 'X-Static': 'v1' } },
          by_lua: 'kong.service.request.set_header("X-Route-Index", "' + String(index) + '")',
        },
      },
    }],
  };
}

/** YAML text of a declarative file with `routes` routes under one service. */
export function generateLargeConfig(routes: number): string {
  return stringify({
    _format_version: '3.0',
    services: [{ name: 'backend', url: 'http://127.0.0.1:9001', routes: Array.from({ length: routes }, (_, index) => routeWithCallout(index)) }],
  });
}

function main(): void {
  const routes = Number(process.argv[2] ?? 1000);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'luagate-bench-')), `routes-${routes}.yaml`);
  fs.writeFileSync(file, generateLargeConfig(routes));
  const settings = defaultSettings();
  for (let run = 1; run <= 3; run += 1) {
    const started = performance.now();
    const config = loadDeclarativeConfig(file, settings);
    const validated = performance.now();
    // What `luagate start` does next: every by_lua and template compiled into one snapshot.
    const setup = createPluginSetup(settings);
    const snapshot = buildSnapshot(config, settings, setup.factories, setup.runtime);
    const compiled = performance.now();
    console.log(`run ${run}: ${config.routes.length} routes, ${snapshot.plugins.length} request-callout plugins: ` +
      `parsed+validated ${(validated - started).toFixed(0)} ms, compiled snapshot ${(compiled - validated).toFixed(0)} ms, ` +
      `total ${(compiled - started).toFixed(0)} ms`);
    void closeSnapshot(snapshot);
  }
  fs.rmSync(path.dirname(file), { recursive: true });
}

if (require.main === module) main();
