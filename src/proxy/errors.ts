// Kong's gateway-generated error responses and the typed errors that lead to them.

export interface GatewayErrorResponse {
  readonly status: number;
  readonly message: string;
}

export const NO_ROUTE: GatewayErrorResponse = { status: 404, message: 'no Route matched with those values' };
export const BAD_UPSTREAM: GatewayErrorResponse = {
  status: 502, message: 'An invalid response was received from the upstream server',
};
export const UPSTREAM_TIMEOUT: GatewayErrorResponse = { status: 504, message: 'The upstream server is timing out' };
export const UNEXPECTED: GatewayErrorResponse = { status: 500, message: 'An unexpected error occurred' };
export const NO_SERVICE: GatewayErrorResponse = { status: 503, message: 'no Service found with those values' };
export const SERVICE_UNAVAILABLE: GatewayErrorResponse = { status: 503, message: 'Service unavailable' };

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Body bytes of a Kong error response: {"message":"..."}. */
export function errorBody(error: GatewayErrorResponse): Buffer {
  return Buffer.from(JSON.stringify({ message: error.message }));
}

/** The upstream could not be reached or answered badly (→ 502). */
export class UpstreamConnectionError extends Error {
  constructor(readonly target: string, readonly code: string, options?: { cause?: unknown }) {
    super(`connection to upstream ${target} failed: ${code}`, options);
    this.name = 'UpstreamConnectionError';
  }
}

/** connect, write or read timeout towards the upstream (→ 504). */
export class UpstreamTimeoutError extends Error {
  constructor(readonly target: string, readonly phase: 'connect' | 'write' | 'read', options?: { cause?: unknown }) {
    super(`upstream ${target} timed out (${phase})`, options);
    this.name = 'UpstreamTimeoutError';
  }
}

/** A plugin's access handler threw (→ 500). */
export class PluginFailureError extends Error {
  constructor(readonly pluginName: string, readonly pluginId: string, options?: { cause?: unknown }) {
    super(`plugin ${pluginName} (${pluginId}) failed in access phase`, options);
    this.name = 'PluginFailureError';
  }
}
