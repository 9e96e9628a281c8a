// The undici classes luagate uses, loaded from their own modules. undici's index also loads fetch,
// WebSocket, the mock agents, the cache stores and the interceptors: about 3 MB of live heap (5 MB
// with the index, 1.9 MB this way) that a gateway process never uses and every full collection walks. A spec checks that these
// are the very classes the index exports, so an undici upgrade that moves a file fails there.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Undici from 'undici';

export type { Dispatcher } from 'undici';

// The index mixes the request API (request, stream, connect...) into every dispatcher; ProxyAgent
// tunnels with `connect`, so the mixin is done here as the index does it.
const dispatcherClass = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
Object.assign(dispatcherClass.prototype, require('undici/lib/api') as object);

export const Pool = require('undici/lib/dispatcher/pool') as typeof Undici.Pool;
export type Pool = Undici.Pool;

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export type Agent = Undici.Agent;

export const ProxyAgent = require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent;
export type ProxyAgent = Undici.ProxyAgent;

export const buildConnector = require('undici/lib/core/connect') as typeof Undici.buildConnector;
export type Connector = Undici.buildConnector.connector;
