// Public surface of the request-callout plugin.
export { requestCalloutFactory, PLUGIN_NAME, PLUGIN_PRIORITY, scopeOf } from './plugin';
export type { PluginRuntime } from './runtime';
export type { RequestCalloutConfig, CalloutConfig, UpstreamConfig } from './config';
export { CalloutCodeError, CalloutUrlError, CalloutConfigError } from './errors';
export { USER_AGENT } from './params';
