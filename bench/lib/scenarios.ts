/** The load scenarios: what is requested, which luagate config serves it, and what proves it was served right. */

export type Echo = Record<string, unknown>;

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Path wrk requests on a gateway (luagate, undici baseline, nginx). */
  readonly routePath: string;
  /** bench/configs/<file> for luagate. */
  readonly configFile: string;
  readonly bodyBytes: number;
  readonly connections: number;
  /** Whether a "direct to upstream" row is meaningful (no callout work skipped). */
  readonly directRow: boolean;
  /** Checks the upstream's echo of one request made through a gateway; returns a problem or null. */
  readonly check: (echo: Echo) => string | null;
}

const MB = 1024 * 1024;

function expectFields(expected: Record<string, unknown>): (echo: Echo) => string | null {
  return (echo) => {
    for (const [name, value] of Object.entries(expected)) {
      if (echo[name] !== value) return `upstream saw ${name}=${JSON.stringify(echo[name])}, expected ${JSON.stringify(value)}`;
    }
    return null;
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'passthrough',
    title: 'passthrough (no plugin)',
    routePath: '/pass',
    configFile: 'passthrough.yaml',
    bodyBytes: 0,
    connections: 64,
    directRow: true,
    check: expectFields({ path: '/echo', len: 0 }),
  },
  {
    name: 'callout',
    title: '1 callout + 2 templates',
    routePath: '/callout',
    configFile: 'callout.yaml',
    bodyBytes: 0,
    connections: 64,
    directRow: false,
    check: expectFields({ path: '/echo', 'x-callout-token': 'tok-abc123', 'x-client-user': 'alice' }),
  },
  {
    name: 'callout-cached',
    title: '1 callout + 2 templates, memory cache',
    routePath: '/cached',
    configFile: 'callout-cached.yaml',
    bodyBytes: 0,
    connections: 64,
    directRow: false,
    check: expectFields({ path: '/echo', 'x-callout-token': 'tok-abc123', 'x-client-user': 'alice' }),
  },
  {
    name: 'chained',
    title: '3 chained callouts + request/response/upstream by_lua',
    routePath: '/chained',
    configFile: 'chained.yaml',
    bodyBytes: 0,
    connections: 64,
    directRow: false,
    check: expectFields({ path: '/echo', 'x-tenant': 'acme', 'x-chain': 'chain-GOLD-u-alice' }),
  },
  {
    name: 'body-1mb',
    title: '1 MB request body passthrough',
    routePath: '/upload',
    configFile: 'passthrough.yaml',
    bodyBytes: MB,
    connections: 16,
    directRow: true,
    check: expectFields({ path: '/echo', len: MB }),
  },
];

export function scenarioByName(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (found === undefined) throw new Error(`unknown scenario ${name} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  return found;
}
