// Direct snippets (src/snippet): every case runs through `luagate start` twice, with
// LUAGATE_DIRECT_SNIPPETS=on (the default) and off (every snippet in the Lua VM), and what the
// callout target, the upstream and the client see must be the same; a few values are also checked
// outright, so that both modes being wrong the same way fails too.
import { expect } from 'chai';
import { startFixtures, stopFixtures, withGateway, type Fixtures } from './support/harness';
import type { Reply, Script } from './support/callout-mock';

/** Headers that differ between two gateway processes (ports, request ids), left out of the comparison. */
const VOLATILE = new Set(['x-kong-request-id', 'x-forwarded-port', 'x-forwarded-host', 'x-kong-proxy-latency',
  'x-kong-upstream-latency', 'x-forwarded-for', 'x-real-ip', 'host', 'date', 'content-length', 'x-kong-response-latency']);

function stable(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (!VOLATILE.has(k)) out[k] = v;
  return out;
}

interface Observed {
  readonly responses: Array<{ status: number; body: string; headers: Record<string, unknown> }>;
  readonly callouts: Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }>;
  readonly upstream: Array<{ method: string; url: string; headers: Record<string, unknown>; body: string }>;
  readonly errors: string[];
}

interface Case {
  readonly replies: Record<string, Script | Reply | Reply[]>;
  readonly config: (calloutUrl: string) => Record<string, unknown>;
  readonly requests: ReadonlyArray<{ path: string; headers?: Record<string, string> }>;
}

/** The config-load report (info lines): per by_lua, whether it runs direct or why not; and the debug lines of direct runs handed to the VM. */
interface Report { readonly load: string[]; readonly handedToVm: number }

async function observe(f: Fixtures, c: Case, direct: 'on' | 'off'): Promise<{ observed: Observed; report: Report }> {
  f.mock.received.length = 0;
  f.upstream.received.length = 0;
  for (const [path, reply] of Object.entries(c.replies)) f.mock.on(path, reply);
  const responses: Observed['responses'] = [];
  let errors: string[] = [];
  let report: Report = { load: [], handedToVm: 0 };
  await withGateway(f, c.config(f.mock.url), async (g) => {
    for (const r of c.requests) {
      const res = await g.call(r.path, { headers: r.headers });
      const body = res.headers['x-echo'] === 'yes' ? '(upstream)' : res.body;
      responses.push({ status: res.status, body, headers: stable(res.headers as Record<string, unknown>) });
    }
    errors = g.gw.logs.filter((line) => /\[error\]/.test(line)).map((line) =>
      line.replace(/^.*?\[error\]\s*\d+#\d+:\s*/, '').replace(/,? request_id: \S+/g, ''));
    report = {
      load: g.gw.logs.map((line) => /request-callout \S+: (.* runs (?:as a direct snippet|in the Lua VM.*))$/.exec(line)?.[1])
        .filter((line): line is string => line !== undefined),
      handedToVm: g.gw.logs.filter((line) => line.includes('left its direct run to the Lua VM')).length,
    };
  }, { env: { LUAGATE_DIRECT_SNIPPETS: direct, KONG_LOG_LEVEL: 'debug' } });
  return { report, observed: {
    responses,
    callouts: f.mock.received.map((r) => ({ method: r.method, url: r.url, headers: stable(r.headers), body: r.body })),
    upstream: f.upstream.received.map((r) => ({ method: r.method, url: r.url, headers: stable(r.headers as Record<string, unknown>), body: r.body })),
    errors,
  } };
}

/**
 * Runs the case both ways and expects the same observations; returns the direct run's, with the
 * direct run's config-load report (the VM run's says `direct_snippets = off` for every snippet).
 */
async function bothWays(f: Fixtures, c: Case): Promise<Observed & { report: Report }> {
  const direct = await observe(f, c, 'on');
  const vm = await observe(f, c, 'off');
  expect(direct.observed).to.deep.equal(vm.observed);
  expect(vm.report.load).to.have.length(direct.report.load.length);
  for (const line of vm.report.load) expect(line).to.match(/runs in the Lua VM \(direct_snippets = off\)$/);
  expect(vm.report.handedToVm).to.equal(0);
  return { ...direct.observed, report: direct.report };
}

describe('request-callout: direct snippets give what the Lua VM gives (luagate start, on and off)', function () {
  this.timeout(60_000);
  let f: Fixtures;
  before(async () => { f = await startFixtures(); });
  after(async () => { await stopFixtures(f); });

  it('three chained callouts with request, response and upstream by_lua (the bench scenario)', async () => {
    const seen = await bothWays(f, {
      replies: {
        '/step1': { body: { id: 'u-7', tenant: 'acme' } },
        '/step2': { body: { plan: 'gold', id: 'u-7' } },
        '/step3': { body: { token: 'tok-GOLD' } },
      },
      config: (url) => ({
        callouts: [
          { name: 'c1', request: { url: `${url}/step1`, by_lua: [
            'local params = kong.ctx.shared.callouts.c1.request.params',
            'params.headers = params.headers or {}',
            'params.headers["X-Req-User"] = kong.request.get_header("x-user")'].join('\n') },
          response: { body: { decode: true } } },
          { name: 'c2', depends_on: ['c1'], request: { url: `${url}/step2`, query: { custom: { id: '$(callouts.c1.response.body.id)' } } },
            response: { body: { decode: true }, by_lua: 'local body = kong.ctx.shared.callouts.c2.response.body\nbody.plan = string.upper(body.plan)' } },
          { name: 'c3', depends_on: ['c2'], request: { url: `${url}/step3`, query: { custom: { id: '$(callouts.c2.response.body.id)' } },
            headers: { custom: { 'X-Plan': '$(callouts.c2.response.body.plan)' } } }, response: { body: { decode: true } } },
        ],
        upstream: { headers: { custom: { 'X-Tenant': '$(callouts.c1.response.body.tenant)' } },
          by_lua: 'kong.service.request.set_header("X-Chain", kong.ctx.shared.callouts.c3.response.body.token)' },
      }),
      requests: [{ path: '/r', headers: { 'x-user': 'alice' } }, { path: '/r' }],
    });
    expect(seen.callouts[0].headers['x-req-user']).to.equal('alice');
    expect(seen.callouts[2].headers['x-plan']).to.equal('GOLD');
    expect(seen.upstream[0].headers['x-chain']).to.equal('tok-GOLD');
    expect(seen.upstream[0].headers['x-tenant']).to.equal('acme');
    expect(seen.callouts[3].headers['x-req-user']).to.equal(undefined);
    expect(seen.report.load).to.deep.equal([
      'callouts[1].request.by_lua (c1) runs as a direct snippet',
      'callouts[2].response.by_lua (c2) runs as a direct snippet',
      'upstream.by_lua runs as a direct snippet',
    ]);
    // The callout sends a User-Agent, so `params.headers = params.headers or {}` stores back the
    // table already there: no run may be handed to the VM (session 15 shipped a build that did).
    expect(seen.report.handedToVm).to.equal(0);
  });

  it('params rewritten in request.by_lua: url by concatenation, query and headers from table constructors', async () => {
    const seen = await bothWays(f, {
      replies: { '/a': { body: 'a' }, '/b/x': { body: 'b' } },
      config: (url) => ({
        callouts: [{ name: 'call', request: { url: `${url}/a`, by_lua: [
          'local p = kong.ctx.shared.callouts.call.request.params',
          `p.url = "${url}/b/" .. (kong.request.get_header("x-seg") or "none")`,
          'p.query = { lang = "en", who = kong.request.get_header("x-who"), n = 5 }',
          'p.headers = { ["X-A"] = "1", X_B = "two" }'].join('\n') } }],
      }),
      requests: [{ path: '/r', headers: { 'x-seg': 'x', 'x-who': 'bob' } }, { path: '/r' }],
    });
    expect(seen.callouts.map((c) => c.url)).to.have.length(2);
    expect(seen.callouts[0].url).to.match(/^\/b\/x\?/);
    expect(seen.callouts[0].headers['x-a']).to.equal('1');
    expect(seen.callouts[1].url.startsWith('/b/none')).to.equal(true);
  });

  it('if / elseif / else with ==, ~=, not, and, or; set_header with strings, "" and booleans; tostring', async () => {
    const seen = await bothWays(f, {
      replies: {},
      config: () => ({
        callouts: [],
        upstream: { by_lua: [
          'local u = kong.request.get_header("x-user")',
          'if u == "alice" then kong.service.request.set_header("X-Who", "A")',
          'elseif not u then kong.service.request.set_header("X-Who", "none")',
          'elseif u ~= "bob" and u ~= "carol" then kong.service.request.set_header("X-Who", "other:" .. u)',
          'else kong.service.request.set_header("X-Who", string.lower("B-" .. u)) end',
          'kong.service.request.set_header("X-Empty", "")',
          'kong.service.request.set_header("X-Flag", u == nil)',
          'kong.service.request.set_header("X-T", tostring(nil) .. tostring(u ~= nil) .. tostring(1.5))',
          'do local u = "inner" kong.service.request.set_header("X-Inner", u) end',
          'kong.service.request.set_header("X-Outer", u or "-")'].join('\n') },
      }),
      requests: [{ path: '/r', headers: { 'x-user': 'alice' } }, { path: '/r', headers: { 'x-user': 'BOB' } }, { path: '/r', headers: { 'x-user': 'bob' } }, { path: '/r' }],
    });
    expect(seen.upstream.map((u) => u.headers['x-who'])).to.deep.equal(['A', 'other:BOB', 'b-bob', 'none']);
    expect(seen.upstream[0].headers['x-empty']).to.equal('');   // sent as " " (Kong's rule); the upstream's parser trims it
    expect(seen.upstream[3].headers['x-flag']).to.equal('true');
    expect(seen.upstream[0].headers['x-t']).to.equal('niltrue1.5');
    expect(seen.upstream[0].headers['x-inner']).to.equal('inner');
  });

  it('numbers and non-ASCII text from a decoded body, concatenated and case-mapped as LuaJIT does', async () => {
    const seen = await bothWays(f, {
      replies: { '/n': { body: { a: 5, b: 0.1, c: 1e15, d: 2 ** 53, e: -0.5, s: 'Ünïcode-abc ß' } } },
      config: (url) => ({
        callouts: [{ name: 'n', request: { url: `${url}/n` }, response: { body: { decode: true } } }],
        upstream: { by_lua: [
          'local b = kong.ctx.shared.callouts.n.response.body',
          'kong.service.request.set_header("X-Nums", b.a .. "|" .. b.b .. "|" .. b.c .. "|" .. b.d .. "|" .. b.e)',
          'kong.service.request.set_header("X-Up", string.upper(b.s))',
          'kong.service.request.set_header("X-Low", string.lower(b.s))'].join('\n') },
      }),
      requests: [{ path: '/r' }],
    });
    expect(seen.upstream[0].headers['x-nums']).to.equal('5|0.1|1e+15|9.007199254741e+15|-0.5');
  });

  it('number header values (RC-32: the callout status from response.by_lua; decoded numbers) as tostring spells them', async () => {
    const seen = await bothWays(f, {
      replies: { '/n': { body: { a: 5, b: 0.1, c: 1e15, d: 2 ** 53, e: -0.5 } } },
      config: (url) => ({
        callouts: [{ name: 'n', request: { url: `${url}/n` }, response: { body: { decode: true },
          by_lua: 'kong.service.request.set_header("X-From-Resp", kong.ctx.shared.callouts.n.response.status)' } }],
        upstream: { by_lua: [
          'local b = kong.ctx.shared.callouts.n.response.body',
          'kong.service.request.set_header("X-A", b.a)',
          'kong.service.request.set_header("X-B", b.b)',
          'kong.service.request.set_header("X-C", b.c)',
          'kong.service.request.set_header("X-D", b.d)',
          'kong.service.request.set_header("X-E", b.e)'].join('\n') },
      }),
      requests: [{ path: '/r' }],
    });
    const h = seen.upstream[0].headers;
    expect([h['x-from-resp'], h['x-a'], h['x-b'], h['x-c'], h['x-d'], h['x-e']]).to.deep.equal(['200', '5', '0.1', '1e+15', '9.007199254741e+15', '-0.5']);
    expect(seen.report.handedToVm).to.equal(0);
  });

  it('comparisons, # of a string, query args, path and method; a string beyond U+FFFF compared is handed to the VM', async () => {
    const seen = await bothWays(f, {
      // The client's query goes to the callout (query.forward), which answers by tier.
      replies: { '/c': (req) => ({ gold: { body: { n: 5, name: 'Zoë' } }, platinum: { body: { n: 50, name: 'zed' } },
        '': { body: { n: 10, name: '\u{1F600}' } } } as Record<string, Reply>)[req.query.get('tier') ?? 'none'] ?? { status: 503, body: { n: 1 } } },
      config: (url) => ({
        callouts: [{ name: 'c', request: { url: `${url}/c`, query: { forward: true } }, response: { body: { decode: true } } }],
        upstream: { by_lua: [
          'local r = kong.ctx.shared.callouts.c.response',
          'if r.status >= 500 then kong.response.exit(502, "callout status " .. r.status) end',
          'local tier = kong.request.get_query_arg("tier")',
          'if tier == true then kong.service.request.set_header("X-Tier", "bare")',
          'elseif tier and #tier > 4 then kong.service.request.set_header("X-Tier", "long:" .. tier)',
          'elseif tier then kong.service.request.set_header("X-Tier", "short:" .. tier) end',
          'kong.service.request.set_header("X-Small", r.body.n < 10)',
          'kong.service.request.set_header("X-Early", r.body.name <= "m")',
          'kong.service.request.set_header("X-Req", kong.request.get_method() .. " " .. kong.request.get_path() .. " "'
            + ' .. kong.request.get_raw_path() .. " ?" .. kong.request.get_raw_query())'].join('\n') },
      }),
      requests: [{ path: '/r?tier=gold' }, { path: '/r//a/b?tier=platinum&x=%C3%A9' }, { path: '/r?tier' }, { path: '/r' }],
    });
    const h = seen.upstream.map((u) => [u.headers['x-tier'], u.headers['x-small'], u.headers['x-early'], u.headers['x-req']]);
    expect(h).to.deep.equal([
      ['short:gold', 'true', 'true', 'GET /r /r ?tier=gold'],
      ['long:platinum', 'false', 'false', 'GET /r/a/b /r//a/b ?tier=platinum&x=%C3%A9'],
      ['bare', 'false', 'false', 'GET /r /r ?tier'],
    ]);
    expect(seen.responses[3]).to.include({ status: 502, body: 'callout status 503' });
    expect(seen.report.load).to.deep.equal(['upstream.by_lua runs as a direct snippet']);
    expect(seen.report.handedToVm).to.equal(1);
  });

  it('arithmetic on decoded numbers as LuaJIT doubles; a division by zero (inf) is spelled by the VM', async () => {
    const seen = await bothWays(f, {
      replies: { '/n': { body: { expires_in: 3600, a: 7, b: -3, f: 0.1, big: 2 ** 53, zero: 0 } } },
      config: (url) => ({
        // The division by zero in the last snippet: its bail hands only that one to the VM (a
        // snippet after a VM run would not run direct, as Lua then holds kong.ctx.shared).
        callouts: [{ name: 'n', request: { url: `${url}/n` }, response: { body: { decode: true }, by_lua: [
          'local b = kong.ctx.shared.callouts.n.response.body',
          'kong.service.request.set_header("X-Refresh", b.expires_in - 60)',
          'kong.service.request.set_header("X-Mod", b.a % b.b .. "," .. -b.a % 3 .. "," .. b.a % 2.5)',
          'kong.service.request.set_header("X-Mix", b.f * 3 .. "," .. b.a / 2 .. "," .. (b.big + 1) .. "," .. -b.f)',
          'if b.a * 2 > 10 then kong.service.request.set_header("X-Cmp", "big") end'].join('\n') } }],
        upstream: { by_lua: 'local b = kong.ctx.shared.callouts.n.response.body\nkong.service.request.set_header("X-Inf", b.a / b.zero)' },
      }),
      requests: [{ path: '/r' }, { path: '/r' }],
    });
    const h = seen.upstream[0].headers;
    expect([h['x-refresh'], h['x-mod'], h['x-mix'], h['x-cmp'], h['x-inf']])
      .to.deep.equal(['3540', '-2,2,2', '0.3,3.5,9.007199254741e+15,-0.1', 'big', 'inf']);
    expect(seen.report.load).to.deep.equal(['callouts[1].response.by_lua (n) runs as a direct snippet', 'upstream.by_lua runs as a direct snippet']);
    expect(seen.report.handedToVm).to.equal(2);   // the X-Inf snippet, once per request
  });

  it('numeric for and ipairs over a decoded array, with break, as the VM runs them', async () => {
    const seen = await bothWays(f, {
      replies: { '/l': { body: { items: [{ id: 'a', n: 1 }, { id: 'b', n: 2 }, { id: 'c', n: 3 }], tags: ['x', null, 'y'], count: 6 } } },
      config: (url) => ({
        callouts: [{ name: 'l', request: { url: `${url}/l` }, response: { body: { decode: true } } }],
        upstream: { by_lua: [
          'local b = kong.ctx.shared.callouts.l.response.body',
          'local ids, total = "", 0',
          'for i, item in ipairs(b.items) do',
          '  ids = ids .. (i > 1 and "," or "") .. item.id',
          '  total = total + item.n',
          '  if total >= 3 then break end',
          'end',
          'local tags = 0',
          'for _, t in ipairs(b.tags) do tags = tags + 1 end',
          'local evens = ""',
          'for i = b.count, 1, -1 do if i % 2 == 0 then evens = evens .. i end end',
          'kong.service.request.set_header("X-Ids", ids)',
          'kong.service.request.set_header("X-Total", total)',
          'kong.service.request.set_header("X-Tags", tags)',
          'kong.service.request.set_header("X-Evens", evens)'].join('\n') },
      }),
      requests: [{ path: '/r' }],
    });
    const h = seen.upstream[0].headers;
    expect([h['x-ids'], h['x-total'], h['x-tags'], h['x-evens']]).to.deep.equal(['a,b', '3', '3', '642']);
    expect(seen.report.load).to.deep.equal(['upstream.by_lua runs as a direct snippet']);
    expect(seen.report.handedToVm).to.equal(0);
  });

  it('a snippet that fails after writing: its writes are undone, the VM raises the same error, 500 in both modes', async () => {
    const seen = await bothWays(f, {
      replies: { '/e': { body: 'e' } },
      config: (url) => ({
        callouts: [{ name: 'e', request: { url: `${url}/e`, by_lua: [
          'local p = kong.ctx.shared.callouts.e.request.params',
          'p.headers = { ["X-One"] = "1" }',
          'kong.service.request.set_header("X-Set", "yes")',
          'local boom = p.nothing.deeper'].join('\n') } }],
      }),
      requests: [{ path: '/r' }, { path: '/r' }],
    });
    expect(seen.responses.map((r) => r.status)).to.deep.equal([500, 500]);
    expect(seen.callouts).to.have.length(0);
    expect(seen.errors.join('\n')).to.match(/attempt to index (a nil value|field 'nothing')/);
    expect(seen.report.handedToVm).to.equal(2);
  });

  it('a cached answer (frozen, shared between requests) edited by upstream.by_lua: the VM edits a copy', async () => {
    const seen = await bothWays(f, {
      replies: { '/c': { body: { n: 'x' } } },
      config: (url) => ({
        cache: { strategy: 'memory', memory: { dictionary_name: 'kong_db_cache' } },
        callouts: [{ name: 'c', request: { url: `${url}/c` }, response: { body: { decode: true },
          by_lua: 'local b = kong.ctx.shared.callouts.c.response.body\nb.n = b.n .. "!"' } }],
        upstream: { headers: { custom: { 'X-N': '$(callouts.c.response.body.n)' } },
          by_lua: 'local b = kong.ctx.shared.callouts.c.response.body\nb.n = b.n .. "?"\nkong.service.request.set_header("X-M", b.n)' },
      }),
      requests: [{ path: '/r' }, { path: '/r' }, { path: '/r' }],
    });
    // The first answer is fresh (edited in place, then cached); the hits are the cache's frozen
    // value, which upstream.by_lua must not change for the next request.
    expect(seen.upstream.map((u) => u.headers['x-n'])).to.deep.equal(['x!', 'x!', 'x!']);
    expect(seen.upstream.map((u) => u.headers['x-m'])).to.deep.equal(['x!?', 'x!?', 'x!?']);
    expect(seen.callouts).to.have.length(1);
  });

  it('kong.response.exit: a text answer with headers that ends the snippet, a JSON answer built from two callouts (RC-11)', async () => {
    const seen = await bothWays(f, {
      replies: { '/uuid': { body: { uuid: 'e1f/2"x' } }, '/origin': { body: { url: 'http://o.test/get', n: 3.5 } } },
      config: (url) => ({
        callouts: [
          { name: 'c1', request: { url: `${url}/uuid`, by_lua: [
            'local deny = kong.request.get_header("x-deny")',
            'if deny then',
            '  kong.service.request.set_header("X-Before", "set")',
            '  kong.response.exit(403, "denied: " .. deny, { ["X-Reason"] = "deny", ["Content-Type"] = "text/plain", ["X-Flag"] = true })',
            '  kong.ctx.shared.after = "never"',
            'end'].join('\n') }, response: { body: { decode: true } } },
          { name: 'c2', request: { url: `${url}/origin` }, response: { body: { decode: true } } },
        ],
        upstream: { by_lua: [
          'local c = kong.ctx.shared.callouts',
          'return kong.response.exit(200, { uuid = c.c1.response.body.uuid, origin = c.c2.response.body.url, n = c.c2.response.body.n,',
          '  nested = { ok = true, none = kong.request.get_header("x-none"), empty = {} } })'].join('\n') },
      }),
      requests: [{ path: '/r' }, { path: '/r', headers: { 'x-deny': 'bob' } }],
    });
    expect(seen.responses[0].status).to.equal(200);
    expect(seen.responses[0].body).to.equal('{"uuid":"e1f\\/2\\"x","origin":"http:\\/\\/o.test\\/get","n":3.5,"nested":{"ok":true,"empty":{}}}');
    expect(seen.responses[0].headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(seen.responses[1]).to.deep.include({ status: 403, body: 'denied: bob' });
    expect(seen.responses[1].headers).to.deep.include({ 'x-reason': 'deny', 'content-type': 'text/plain', 'x-flag': 'true' });
    expect(seen.callouts.map((c) => c.url)).to.deep.equal(['/uuid', '/origin']);
    expect(seen.upstream).to.have.length(0);
    expect(seen.report.load).to.deep.equal([
      'callouts[1].request.by_lua (c1) runs as a direct snippet',
      'upstream.by_lua runs as a direct snippet',
    ]);
    expect(seen.report.handedToVm).to.equal(0);
  });

  it('the config-load report names what keeps a snippet in the VM', async () => {
    const seen = await bothWays(f, {
      replies: {},
      config: () => ({
        callouts: [],
        upstream: { by_lua: 'local i = 0\nwhile i < 2 do i = i + 1 kong.service.request.set_header("X-I", tostring(i)) end' },
      }),
      requests: [{ path: '/r' }],
    });
    expect(seen.upstream[0].headers['x-i']).to.equal('2');
    expect(seen.report.load).to.deep.equal(['upstream.by_lua runs in the Lua VM (not covered: while)']);
  });

  it('kong.ctx.shared written by one snippet and read by a later one and by a template', async () => {
    const seen = await bothWays(f, {
      replies: { '/s': { body: { v: 'from-callout' } } },
      config: (url) => ({
        callouts: [{ name: 's', request: { url: `${url}/s` }, response: { body: { decode: true },
          by_lua: 'kong.ctx.shared.note = kong.ctx.shared.callouts.s.response.body.v .. "+note"' } }],
        upstream: { headers: { custom: { 'X-Note': '$(shared.note)' } },
          by_lua: 'kong.service.request.set_header("X-Again", kong.ctx.shared.note)' },
      }),
      requests: [{ path: '/r' }],
    });
    expect(seen.upstream[0].headers['x-note']).to.equal('from-callout+note');
    expect(seen.upstream[0].headers['x-again']).to.equal('from-callout+note');
  });
});
