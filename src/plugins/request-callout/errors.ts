// Typed failures of the request-callout plugin. Each one makes the proxy answer Kong's 500
// `{"message":"An unexpected error occurred"}`; the message names the snippet or template.

export const LOG_PREFIX = 'request-callout';

/** A by_lua snippet or a template raised a Lua error at request time. */
export class CalloutCodeError extends Error {
  constructor(readonly site: string, readonly luaMessage: string, options?: { cause?: unknown }) {
    super(`${LOG_PREFIX}: ${site}: ${luaMessage}`, options);
    this.name = 'CalloutCodeError';
  }
}

/** The (rendered) callout URL is not an http(s) URL (decision 28). */
export class CalloutUrlError extends Error {
  constructor(readonly site: string, readonly url: string, readonly reason: string) {
    super(`${LOG_PREFIX}: ${site}: invalid callout URL ${JSON.stringify(url)}: ${reason}`);
    this.name = 'CalloutUrlError';
  }
}

/** A configuration the factory cannot build (normally caught by the config layer first). */
export class CalloutConfigError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CalloutConfigError';
  }
}
