// Public surface of the cache layer.
export * from './strategy';
export * from './errors';
export { createCalloutCache, type CalloutCacheOptions } from './factory';
export { defaultCalloutCacheKey, userCalloutCacheKey, type CalloutCacheKeyParts } from './key';
export { encodeEntry, decodeEntry } from './entry-codec';
