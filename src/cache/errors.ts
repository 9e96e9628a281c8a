// Typed errors of the cache layer. Backend failures never reach a request: the strategies catch
// them and log; these classes give the log lines (and tests) a stable shape.

export class CacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The `config.cache` object cannot be turned into a working cache (bad strategy, bad redis record). */
export class CacheConfigError extends CacheError {
  constructor(readonly path: string, readonly detail: string) {
    super(`invalid cache configuration at ${path}: ${detail}`);
  }
}

/** An entry cannot be encoded for storage, or a stored value cannot be decoded back. */
export class CacheEntryError extends CacheError {
  constructor(readonly key: string, readonly detail: string) {
    super(`cache entry ${key}: ${detail}`);
  }
}

/** The backend (Redis) failed, timed out or was not connected. */
export class CacheBackendError extends CacheError {
  constructor(readonly backend: string, readonly operation: 'get' | 'set' | 'connect', readonly reason: unknown) {
    super(`${backend} ${operation} failed: ${describeCause(reason)}`);
  }
}

function describeCause(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return String(reason);
}
