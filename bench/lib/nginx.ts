/**
 * Optional nginx + Lua baseline. Uses the nginx found on the machine (openresty, or nginx with
 * the Debian lua module); never installs anything. Callouts go through ngx.location.capture to an
 * internal proxy location with keep-alive, JSON through cjson.safe, cache in a lua_shared_dict.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NginxInstall {
  readonly binary: string;
  /** Lines to put at the top of nginx.conf to load the Lua module (empty for openresty). */
  readonly moduleLines: readonly string[];
}

const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules', '/usr/local/nginx/modules'];

function which(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/openresty/bin'])) {
    const candidate = path.join(dir, binary);
    if (dir !== '' && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Returns the install, or a sentence saying why the nginx rows are skipped. */
export function detectNginxLua(): NginxInstall | string {
  const openresty = which('openresty');
  if (openresty !== null) return { binary: openresty, moduleLines: [] };
  const nginx = which('nginx');
  if (nginx === null) return 'nginx is not installed on this machine (not installed by the bench)';
  const built = spawnSync(nginx, ['-V'], { encoding: 'utf8' });
  if (/lua-nginx-module|http_lua/.test(`${built.stderr}${built.stdout}`)) return { binary: nginx, moduleLines: [] };
  for (const dir of MODULE_DIRS) {
    const lua = path.join(dir, 'ngx_http_lua_module.so');
    if (!fs.existsSync(lua)) continue;
    const ndk = path.join(dir, 'ndk_http_module.so');
    const lines = fs.existsSync(ndk) ? [`load_module ${ndk};`] : [];
    return { binary: nginx, moduleLines: [...lines, `load_module ${lua};`] };
  }
  return `nginx at ${nginx} has no Lua module (lua-nginx-module); nginx rows skipped`;
}

const CALLOUT_LUA: Record<string, string> = {
  callout: `
    local cjson = require "cjson.safe"
    local res = ngx.location.capture("/_callout/token")
    if res.status ~= 200 then ngx.status = 400; ngx.say("service callout error"); return ngx.exit(400) end
    local body = cjson.decode(res.body) or {}
    ngx.req.set_header("X-Callout-Token", tostring(body.token or ""))
    ngx.req.set_header("X-Client-User", ngx.var.http_x_user or "")`,
  'callout-cached': `
    local cjson = require "cjson.safe"
    local cache = ngx.shared.callout_cache
    local raw = cache:get("GET /token")
    if raw == nil then
      local res = ngx.location.capture("/_callout/token")
      if res.status ~= 200 then ngx.status = 400; ngx.say("service callout error"); return ngx.exit(400) end
      raw = res.body
      cache:set("GET /token", raw, 300)
    end
    local body = cjson.decode(raw) or {}
    ngx.req.set_header("X-Callout-Token", tostring(body.token or ""))
    ngx.req.set_header("X-Client-User", ngx.var.http_x_user or "")`,
  chained: `
    local cjson = require "cjson.safe"
    local r1 = ngx.location.capture("/_callout/step1", { vars = { bench_req_user = ngx.var.http_x_user or "" } })
    local b1 = cjson.decode(r1.body) or {}
    local r2 = ngx.location.capture("/_callout/step2", { args = { id = b1.id } })
    local b2 = cjson.decode(r2.body) or {}
    b2.plan = string.upper(b2.plan or "")
    local r3 = ngx.location.capture("/_callout/step3", { args = { id = b2.id }, vars = { bench_plan = b2.plan } })
    local b3 = cjson.decode(r3.body) or {}
    ngx.req.set_header("X-Tenant", tostring(b1.tenant or ""))
    ngx.req.set_header("X-Chain", tostring(b3.token or ""))`,
};

export interface NginxConfInput {
  readonly install: NginxInstall;
  readonly scenario: string;
  readonly routePath: string;
  readonly port: number;
  readonly upstreamPort: number;
  readonly calloutPort: number;
  readonly workers: number;
  readonly dir: string;
}

export function nginxConf(input: NginxConfInput): string {
  const lua = CALLOUT_LUA[input.scenario];
  const access = lua === undefined ? '' : `access_by_lua_block {${lua}\n      }`;
  const temp = (name: string): string => path.join(input.dir, name);
  return `${input.install.moduleLines.join('\n')}
worker_processes ${input.workers};
daemon off;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  client_max_body_size 4m;
  client_body_buffer_size 2m;
  lua_shared_dict callout_cache 10m;
  upstream bench_upstream { server 127.0.0.1:${input.upstreamPort}; keepalive 128; }
  upstream bench_callout { server 127.0.0.1:${input.calloutPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${input.port};
    set $bench_req_user "";
    set $bench_plan "";
    location /_callout/ {
      internal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:${input.calloutPort};
      proxy_set_header User-Agent luagate-bench-baseline;
      proxy_set_header X-Req-User $bench_req_user;
      proxy_set_header X-Plan $bench_plan;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_pass http://bench_callout/;
    }
    location ${input.routePath} {
      ${access}
      proxy_http_version 1.1;
      proxy_request_buffering off;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:${input.upstreamPort};
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Path $request_uri;
      proxy_pass http://bench_upstream/echo;
    }
  }
}
`;
}
