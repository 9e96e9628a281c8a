// Kong declarative configs for the specs: route /r (or given paths) → the echo upstream, with one
// request-callout plugin on the route.
export interface ConfigOptions {
  readonly paths?: readonly string[];
  readonly extraPlugins?: readonly unknown[];
  readonly consumers?: readonly unknown[];
}

export function calloutConfig(upstreamUrl: string, pluginConfig: Record<string, unknown>, options: ConfigOptions = {}): unknown {
  return {
    _format_version: '3.0',
    services: [{ name: 'echo', url: upstreamUrl, routes: [{ name: 'r', paths: options.paths ?? ['/r'] }] }],
    plugins: [{ name: 'request-callout', route: 'r', config: pluginConfig }, ...(options.extraPlugins ?? [])],
    ...(options.consumers ? { consumers: options.consumers } : {}),
  };
}

/** The echo server's report of what the upstream received. */
export interface EchoReport {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: string[];
  readonly body: string;
}

export function echoOf(body: string): EchoReport {
  return JSON.parse(body) as EchoReport;
}
