// The gateway in one process: HTTP listeners, the current proxy plan (swapped atomically on
// reload), graceful stop. Cluster orchestration lives in cluster.ts; this is what each worker runs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress, Settings } from '../config/types';
import { UNEXPECTED } from './errors';
import { sendGatewayError } from './kong-response';
import { GatewayLogger } from './log';
import { ProxyPlan, type SnapshotSource } from './plan';
import { handleRequest, type HandlerDeps } from './proxy-handler';
import { newRequestId } from './request-id';
import { compileHeaderFlags, type GatewayHeaderFlags } from './response-headers';
import { UpstreamClient } from './upstream';

export type GatewaySettings = Pick<Settings, 'proxy_listen' | 'headers' | 'log_level' | 'log_format'>;

export interface GatewayOptions {
  readonly settings: GatewaySettings;
  /** Builds a runtime snapshot from the current configuration; throws when the configuration is invalid. */
  readonly loadSnapshot: () => SnapshotSource | Promise<SnapshotSource>;
  readonly logger?: GatewayLogger;
  /** Adds `X-Luagate-Worker: <label>` to every response (debugging multi-worker setups). */
  readonly workerLabel?: string | null;
  /** How long stop() waits for requests in flight before closing their connections. Default 30 s. */
  readonly stopGraceMs?: number;
}

export type ReloadResult =
  | {
    readonly ok: true; readonly routes: number; readonly generation: number;
    /** Settles once the previous snapshot is released (after its last request in flight). */
    readonly previousReleased: Promise<void>;
  }
  | { readonly ok: false; readonly error: Error };

export class GatewayNotStartedError extends Error {
  constructor() {
    super('the gateway has not been started');
    this.name = 'GatewayNotStartedError';
  }
}

export class Gateway {
  readonly logger: GatewayLogger;
  private readonly flags: GatewayHeaderFlags;
  private readonly upstream = new UpstreamClient();
  private readonly servers: Server[] = [];
  private current: ProxyPlan | null = null;
  private generation = 0;
  private draining = false;
  private stopping: Promise<void> | null = null;
  private readonly deps: HandlerDeps;

  constructor(private readonly options: GatewayOptions) {
    this.logger = options.logger ?? new GatewayLogger({ level: options.settings.log_level, format: options.settings.log_format });
    this.flags = compileHeaderFlags(options.settings.headers);
    this.deps = {
      logger: this.logger,
      flags: this.flags,
      upstream: this.upstream,
      workerHeader: options.workerLabel ?? null,
      isDraining: () => this.draining,
      requestDone: () => {
        if (this.draining) setImmediate(() => { for (const server of this.servers) server.closeIdleConnections(); });
      },
    };
  }

  get plan(): ProxyPlan | null {
    return this.current;
  }

  /** Loads the first snapshot (throws if it is invalid), then listens on every proxy_listen address. */
  async start(): Promise<AddressInfo[]> {
    const source = await this.options.loadSnapshot();
    this.current = new ProxyPlan(source, ++this.generation);
    const addresses: AddressInfo[] = [];
    for (const listen of this.options.settings.proxy_listen) {
      if (listen.ssl) {
        this.logger.log('warn', `proxy_listen ${listen.host}:${listen.port} ssl is not supported; skipped`);
        continue;
      }
      addresses.push(await this.listen(listen));
    }
    return addresses;
  }

  /** Loads the configuration again and swaps the plan; on failure the old plan keeps serving. */
  async reload(): Promise<ReloadResult> {
    let next: ProxyPlan;
    try {
      next = new ProxyPlan(await this.options.loadSnapshot(), this.generation + 1);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.logger.log('error', `configuration reload failed, keeping the current configuration: ${e.message}`);
      return { ok: false, error: e };
    }
    this.generation = next.generation;
    const previous = this.current;
    this.current = next;
    const previousReleased = previous ? previous.retire() : Promise.resolve();
    this.logger.log('notice', `configuration reloaded (generation ${next.generation}, ${next.routeCount} routes)`);
    return { ok: true, routes: next.routeCount, generation: next.generation, previousReleased };
  }

  /** Stops accepting, lets requests in flight finish (up to the grace period), releases resources. */
  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    })));
    this.logger.log('notice', 'no longer accepting connections; waiting for requests in flight');
    const grace = setTimeout(() => { for (const server of this.servers) server.closeAllConnections(); },
      this.options.stopGraceMs ?? 30_000);
    grace.unref();
    await closed;
    clearTimeout(grace);
    await this.current?.retire();
    await this.upstream.close();
  }

  private listen(address: ListenAddress): Promise<AddressInfo> {
    const server = createServer({ requestTimeout: 0, keepAliveTimeout: 60_000, headersTimeout: 60_000 },
      (req, res) => this.onRequest(req, res));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const plan = this.current;
    if (!plan) throw new GatewayNotStartedError();
    try {
      handleRequest(req, res, plan, this.deps);
    } catch (error) {
      this.logger.log('error', `unexpected error while handling ${req.method} ${req.url}: ${
        error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) {
        sendGatewayError(res, UNEXPECTED, {
          requestId: newRequestId(), startTime: Date.now(), flags: this.flags,
          workerHeader: this.deps.workerHeader, draining: this.draining,
        });
      } else {
        res.destroy();
      }
    }
  }
}

export function createGateway(options: GatewayOptions): Gateway {
  return new Gateway(options);
}
