// The normalized request-callout configuration as the config layer hands it over (every default
// filled, absent optional fields null). Types only: validation happened at load.
import type { CalloutCacheConfig } from '../../cache';

/** A `custom` map: values are templates; JSON null removes the field. */
export type CustomMap = Readonly<Record<string, string | null>> | null;

export interface CalloutTimeouts {
  readonly connect: number;
  readonly write: number;
  readonly read: number;
}

export interface CalloutProxyConfig {
  readonly auth_username: string | null;
  readonly auth_password: string | null;
  readonly http_proxy: string | null;
  readonly https_proxy: string | null;
}

export interface HttpOptionsConfig {
  readonly ssl_verify: boolean | null;
  readonly ssl_server_name: string | null;
  readonly timeouts: CalloutTimeouts | null;
  readonly proxy: CalloutProxyConfig | null;
}

export type OnError = 'fail' | 'continue' | 'retry';

export interface CalloutRequestConfig {
  readonly url: string;
  readonly method: string;
  readonly http_opts: HttpOptionsConfig;
  readonly query: { readonly forward: boolean; readonly custom: CustomMap };
  readonly headers: { readonly forward: boolean; readonly custom: CustomMap };
  readonly body: { readonly forward: boolean; readonly decode: boolean; readonly custom: CustomMap };
  readonly error: {
    readonly on_error: OnError;
    readonly retries: number;
    readonly http_statuses: readonly number[] | null;
    readonly error_response_code: number;
    readonly error_response_msg: string;
  };
  readonly by_lua: string | null;
}

export interface CalloutConfig {
  readonly name: string;
  readonly depends_on: readonly string[];
  readonly request: CalloutRequestConfig;
  readonly response: {
    readonly headers: { readonly store: boolean };
    readonly body: { readonly store: boolean; readonly decode: boolean };
    readonly by_lua: string | null;
  };
  readonly cache: { readonly bypass: boolean };
}

export interface UpstreamConfig {
  readonly by_lua: string | null;
  readonly query: { readonly forward: boolean; readonly custom: CustomMap };
  readonly headers: { readonly forward: boolean; readonly custom: CustomMap };
  readonly body: { readonly forward: boolean; readonly decode: boolean; readonly custom: CustomMap };
}

export interface RequestCalloutConfig {
  readonly callouts: readonly CalloutConfig[];
  readonly cache: CalloutCacheConfig;
  readonly upstream: UpstreamConfig;
}
