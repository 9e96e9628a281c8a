// Lua micro-benchmarks: µs per call of templates, PDK calls and a 30-line by_lua snippet on the
// real engine. Run with `npm run bench:lua`; writes the "Lua micro-benchmarks" section of
// bench/RESULTS.md (only that section). Each row: median of RUNS runs of a time-bounded loop.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { lua } from '../src/lua/fengari';
import { LuaEngine } from '../src/lua/engine';
import type { CompiledChunk, LuaEnv } from '../src/lua/engine';
import { installBuiltinModules } from '../src/lua/modules';
import { pushLazyJson } from '../src/lua/lazy';
import { pushValue } from '../src/lua/marshal';
import { installPdk, createScope, releaseScope, pushRequestTable, SHARED_REF } from '../src/pdk';
import type { PdkScope } from '../src/pdk';
import type { Exchange } from '../src/pdk/exchange';
import { compileTemplate } from '../src/template/compile';
import { OrderedHeaderMap } from '../src/proxy/header-map';

const RUNS = 7;
const RUN_MS = 300;

function exchange(): Exchange {
  const headers = OrderedHeaderMap.fromEntries([['Host', 'example.test'], ['X', 'value-x'], ['X-User', 'alice'], ['Accept', '*/*'],
    ['User-Agent', 'bench/1.0'], ['X-Roles', 'admin,ops,dev']]);
  return {
    request: {
      id: 'req', startTime: Date.now(), method: 'GET', scheme: 'http', httpVersion: 1.1, host: 'example.test', port: 8000,
      rawPath: '/r', rawQuery: 'lang=en&page=2', headers, remoteAddress: '127.0.0.1', remotePort: 1, bufferedBody: new Uint8Array(0),
      readBody: async () => new Uint8Array(0),
    },
    upstream: { method: 'GET', scheme: 'http', host: 'u', port: 80, path: '/r', rawQuery: '', headers: new OrderedHeaderMap(), hostHeader: null, body: undefined },
    response: { status: null, headers: new OrderedHeaderMap(), exit: null },
    route: null, consumer: null, log: { log: () => undefined, enabled: () => false }, ctx: new Map(),
  };
}

function body2k(): unknown {
  const items = Array.from({ length: 22 }, (_, i) => ({ id: i, name: `item-${i}`, price: i * 1.25, tags: ['a', 'b', 'c'], active: i % 2 === 0 }));
  const body = { token: 'eyJhbGciOiJIUzI1NiJ9.payload.sig', token_type: 'Bearer', expires_in: 3600, items, meta: { page: 1, total: 22, next: null } };
  const size = JSON.stringify(body).length;
  if (size < 1500 || size > 2600) throw new Error(`bench body is ${size} bytes, expected about 2 KB`);
  return body;
}

/** Median µs per call of `fn` over RUNS time-bounded runs. */
function measure(fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn();
  const results: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(RUN_MS * 1e6);
    let now = start;
    while (now < deadline) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
      now = process.hrtime.bigint();
    }
    results.push(Number(now - start) / 1e3 / n);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}

const SNIPPET_30 = `
local cjson = require "cjson"
local h = kong.request.get_headers()
local user = kong.request.get_header("x-user") or "anonymous"
local roles = {}
for role in string.gmatch(h["x-roles"] or "", "[^,]+") do
  roles[#roles + 1] = role
end
table.sort(roles)
local query = kong.request.get_query()
local page = tonumber(query.page) or 1
local items = {}
for i = 1, 5 do
  items[i] = {
    id = i,
    label = string.format("%s-%d", user, i),
    score = (i * page) / 4,
  }
end
local shared = kong.ctx.shared
shared.count = (shared.count or 0) + 1
local doc = {
  user = user,
  roles = roles,
  page = page,
  items = items,
  path = kong.request.get_path(),
  method = kong.request.get_method(),
  count = shared.count,
}
local encoded = cjson.encode(doc)
return #encoded
`;

interface Row { name: string; us: number }

function main(): void {
  const engine = new LuaEngine({ mode: 'sandbox', sandboxRequires: ['cjson'] });
  installBuiltinModules(engine);
  installPdk(engine);
  engine.seal();
  const ex = exchange();
  const rows: Row[] = [];
  const readNothing = (): null => null;
  const callChunk = (chunk: CompiledChunk, env: LuaEnv, scope: PdkScope): void => {
    const out = engine.call(chunk, env, scope, readNothing);
    if (out instanceof Promise) throw new Error('benchmark chunk waited');
  };

  // 1. $(headers.x): warm request (shortcut cached) and a fresh request per call.
  const headerTemplate = compileTemplate(engine, '$(headers.x)', 'bench');
  const warm = createScope(ex);
  if (headerTemplate.render(warm) !== 'value-x') throw new Error('template check failed');
  rows.push({ name: '`$(headers.x)` template, fast path, warm request', us: measure(() => headerTemplate.render(warm)) });
  rows.push({ name: '`$(headers.x)` template, fast path, new request each call', us: measure(() => {
    ex.ctx.clear();
    headerTemplate.render(createScope(ex));
  }) });
  rows.push({ name: '`$(headers.x)` template, VM path, new request each call', us: measure(() => {
    const s = createScope(ex);
    headerTemplate.renderInVm(s);
    releaseScope(engine, s);
  }) });

  // 2. callouts.c.response.body.token on a decoded 2 KB JSON body.
  const body = body2k();
  const bodyText = JSON.stringify(body);
  const tokenTemplate = compileTemplate(engine, '$(callouts.c.response.body.token)', 'bench');
  const setBody = (scope: PdkScope, lazy: boolean): void => {
    const L = engine.L;
    pushRequestTable(engine, L, scope, SHARED_REF);
    lua.lua_createtable(L, 0, 1);
    lua.lua_createtable(L, 0, 1);
    lua.lua_createtable(L, 0, 2);
    if (lazy) pushLazyJson(L, JSON.parse(bodyText)); else pushValue(L, JSON.parse(bodyText));
    lua.lua_setfield(L, -2, 'body');
    lua.lua_setfield(L, -2, 'response');
    lua.lua_setfield(L, -2, 'c');
    lua.lua_setfield(L, -2, 'callouts');
    lua.lua_settop(L, 0);
  };
  const bodyScope = createScope(ex);
  setBody(bodyScope, true);
  if (tokenTemplate.render(bodyScope) !== (body as { token: string }).token) throw new Error('token template check failed');
  rows.push({ name: '`$(callouts.c.response.body.token)`, 2 KB lazy body, fast path (render only)', us: measure(() => tokenTemplate.render(bodyScope)) });
  rows.push({ name: '`$(callouts.c.response.body.token)`, 2 KB lazy body, VM path (render only)', us: measure(() => tokenTemplate.renderInVm(bodyScope)) });
  rows.push({ name: 'per request: JSON.parse 2 KB + lazy push + token template', us: measure(() => {
    const s = createScope(ex);
    setBody(s, true);
    tokenTemplate.render(s);
    releaseScope(engine, s);
  }) });
  rows.push({ name: 'per request: JSON.parse 2 KB + eager push + token template (reference)', us: measure(() => {
    const s = createScope(ex);
    setBody(s, false);
    tokenTemplate.render(s);
    releaseScope(engine, s);
  }) });

  // 3. kong.request.get_header from a by_lua chunk.
  const getHeader = engine.compileChunk('return kong.request.get_header("x-user")', 'bench');
  const env = engine.createChunkEnv();
  rows.push({ name: '`kong.request.get_header("x-user")` from a by_lua chunk', us: measure(() => callChunk(getHeader, env, warm)) });

  // 4. A compiled expression calling a JS function (template through the VM).
  const exprTemplate = compileTemplate(engine, '$(kong.request.get_header("x-user") .. "-suffix")', 'bench');
  if (exprTemplate.render(warm) !== 'alice-suffix') throw new Error('expression check failed');
  rows.push({ name: 'template `$(kong.request.get_header("x-user") .. "-suffix")` (VM)', us: measure(() => exprTemplate.render(warm)) });

  // 5. A 30-line by_lua snippet building a table and JSON-encoding it.
  const snippet = engine.compileChunk(SNIPPET_30, 'bench');
  const snippetEnv = engine.createChunkEnv();
  rows.push({ name: '30-line by_lua: headers, gmatch, sort, format, ctx.shared, cjson.encode', us: measure(() => {
    const s = createScope(ex);
    callChunk(snippet, snippetEnv, s);
    releaseScope(engine, s);
  }) });

  report(rows);
}

function report(rows: Row[]): void {
  const table = ['| workload | µs per call (median of 7) |', '|---|---|', ...rows.map((r) => `| ${r.name} | ${r.us.toFixed(2)} |`)].join('\n');
  const section = [
    '## Lua micro-benchmarks',
    '',
    `Command: \`npm run bench:lua\` (bench/lua-micro.ts). ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}. Median of ${RUNS} runs of ${RUN_MS} ms each, one process; ` +
      'targets (DESIGN.md): a template ≤ 1 µs, a 30-line by_lua ≤ 40 µs.',
    '',
    table,
    '',
    'Rows marked fast path render in JS (src/template/fast-path.ts); "VM path" forces the same template through ' +
      'the Lua VM. "new request each call" includes creating the request scope. Numbers from a shared, busy machine ' +
      'vary by about ±30 % between runs; compare rows of one run.',
    '',
  ].join('\n');
  console.log(section);
  const file = join(__dirname, '..', '..', 'bench', 'RESULTS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = current.indexOf('## Lua micro-benchmarks');
  let next: string;
  if (start < 0) next = current.replace(/\n*$/, '\n\n') + section;
  else {
    const end = current.indexOf('\n## ', start + 3);
    next = current.slice(0, start) + section + (end < 0 ? '' : current.slice(end + 1));
  }
  writeFileSync(file, next);
}

main();
