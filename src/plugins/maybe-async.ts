// Values that are usually ready at once and only sometimes need to wait (a memory-cache hit, a
// snippet that never yields). Awaiting a ready value still costs a promise and a microtask turn
// per step; on a cache hit those turns were a measurable share of the request, so the plugin's
// steps pass plain values through and only build promises when something really waits.

export type MaybePromise<T> = T | Promise<T>;

/** `next(value)` now when `value` is ready, after it settles otherwise. */
export function andThen<T, R>(value: MaybePromise<T>, next: (ready: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
