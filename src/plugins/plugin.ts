// What the proxy needs from a plugin: a factory that turns a validated plugin entity into a
// compiled instance once (at snapshot build), and an access-phase handler run per request.
import type { Exchange } from '../pdk/exchange';
import type { PluginEntity } from '../config/types';

export interface PluginInstance {
  readonly entity: PluginEntity;
  readonly priority: number;
  /**
   * Runs in the access phase. Sets exchange.response.exit to answer the client directly. Returns
   * a promise only when it has to wait; a synchronous return means the phase is over.
   */
  access(exchange: Exchange): void | Promise<void>;
  /** Releases resources (pools, cache connections) when a snapshot is retired. */
  close?(): Promise<void>;
}

export interface PluginFactory<Runtime = unknown> {
  readonly name: string;
  readonly priority: number;
  /** Compiles every snippet and template of the (already validated) entity. Throws ConfigError on problems. */
  create(entity: PluginEntity, runtime: Runtime): PluginInstance;
}
