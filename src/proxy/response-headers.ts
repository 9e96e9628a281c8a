// Kong's `headers` setting compiled into flags: which gateway headers go on responses.
import { SERVER_TOKEN } from './version';

export interface GatewayHeaderFlags {
  readonly server: boolean;            // Server: kong/<v> on responses Kong generates
  readonly via: boolean;               // Via: 1.1 kong/<v> on proxied responses
  readonly proxyLatency: boolean;      // X-Kong-Proxy-Latency
  readonly upstreamLatency: boolean;   // X-Kong-Upstream-Latency
  readonly responseLatency: boolean;   // X-Kong-Response-Latency (responses Kong generates)
  readonly upstreamStatus: boolean;    // X-Kong-Upstream-Status
  readonly requestId: boolean;         // X-Kong-Request-Id
}

export const DEFAULT_HEADERS_SETTING = ['server_tokens', 'latency_tokens', 'X-Kong-Request-Id'];

export function compileHeaderFlags(setting: readonly string[]): GatewayHeaderFlags {
  const tokens = new Set(setting.map((t) => t.trim().toLowerCase()));
  if (tokens.has('off')) {
    return { server: false, via: false, proxyLatency: false, upstreamLatency: false, responseLatency: false,
      upstreamStatus: false, requestId: false };
  }
  const serverTokens = tokens.has('server_tokens');
  const latencyTokens = tokens.has('latency_tokens');
  return {
    server: serverTokens || tokens.has('server'),
    via: serverTokens || tokens.has('via'),
    proxyLatency: latencyTokens || tokens.has('x-kong-proxy-latency'),
    upstreamLatency: latencyTokens || tokens.has('x-kong-upstream-latency'),
    responseLatency: latencyTokens || tokens.has('x-kong-response-latency'),
    upstreamStatus: tokens.has('x-kong-upstream-status'),
    requestId: tokens.has('x-kong-request-id'),
  };
}

export const VIA_TOKEN = `1.1 ${SERVER_TOKEN}`;
