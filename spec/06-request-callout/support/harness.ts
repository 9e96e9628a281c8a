// Shared fixtures of the request-callout specs: a recording callout mock, an echo upstream, and a
// luagate CLI process per config.
import { startEchoServer, httpCall, type HttpResult, type RequestOptions } from '../../helpers/servers';
import { startCalloutMock, type CalloutMock } from './callout-mock';
import { calloutConfig, echoOf, type ConfigOptions, type EchoReport } from './kong-config';
import { startLuagate, type Luagate, type StartLuagateOptions } from './luagate-cli';

export interface Fixtures {
  readonly mock: CalloutMock;
  readonly upstream: Awaited<ReturnType<typeof startEchoServer>>;
}

export async function startFixtures(): Promise<Fixtures> {
  return { mock: await startCalloutMock(), upstream: await startEchoServer() };
}

export async function stopFixtures(f: Fixtures): Promise<void> {
  await Promise.all([f.mock.close(), f.upstream.close()]);
}

export interface GatewayCall {
  readonly gw: Luagate;
  call(path: string, options?: RequestOptions): Promise<HttpResult>;
  /** Calls and parses the echo upstream's report (asserting the upstream answered). */
  echo(path: string, options?: RequestOptions): Promise<EchoReport>;
}

/** Starts luagate with one request-callout plugin on route /r, runs `body`, stops luagate. */
export async function withGateway(f: Fixtures, pluginConfig: Record<string, unknown>,
  body: (g: GatewayCall) => Promise<void>, options: ConfigOptions & StartLuagateOptions = {}): Promise<void> {
  const gw = await startLuagate(calloutConfig(f.upstream.url, pluginConfig, options), options);
  const call = (path: string, o?: RequestOptions): Promise<HttpResult> => httpCall(gw.url + path, { agent: false, ...o });
  try {
    await body({
      gw,
      call,
      async echo(path, o) {
        const res = await call(path, o);
        if (res.status !== 200 || res.headers['x-echo'] !== 'yes') {
          throw new Error(`expected the upstream reply, got ${res.status}: ${res.body}\n${gw.logs.join('\n')}`);
        }
        return echoOf(res.body);
      },
    });
  } finally {
    await gw.stop();
  }
}

/** All values of a header in a node rawHeaders list (case-insensitive name). */
export function rawValues(rawHeaders: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name.toLowerCase()) out.push(rawHeaders[i + 1]);
  return out;
}
