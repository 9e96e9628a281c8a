// A proxy plan: everything compiled from one runtime snapshot that a request reads (router,
// plugin chains). Requests pin the plan they started with; a retired plan is closed once the
// last of its requests is done.
import type { DeclarativeConfig } from '../config/types';
import type { PluginInstance } from '../plugins/plugin';
import { PluginChains } from './plugin-chain';
import { Router } from './router';

/** What the proxy needs from a runtime snapshot. */
export interface SnapshotSource {
  readonly config: DeclarativeConfig;
  /** Compiled plugin instances, one per plugin entity (disabled ones may be present; they are skipped). */
  readonly plugins: readonly PluginInstance[];
  /** Releases the snapshot's resources; when absent each plugin instance's close() is called. */
  close?(): Promise<void>;
}

export class ProxyPlan {
  readonly router: Router;
  readonly chains: PluginChains;
  private inFlight = 0;
  private retired = false;
  private closed: Promise<void> | null = null;
  private onClosed: (() => void) | null = null;

  constructor(readonly source: SnapshotSource, readonly generation: number) {
    this.router = new Router(source.config.routes, source.config.services);
    this.chains = new PluginChains(source.plugins, source.config.routes);
  }

  get routeCount(): number {
    return this.source.config.routes.length;
  }

  acquire(): void {
    this.inFlight++;
  }

  release(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) void this.close();
  }

  /** Stops new use; resolves once the plan's resources are released. */
  retire(): Promise<void> {
    this.retired = true;
    if (this.inFlight === 0) return this.close();
    return new Promise((resolve) => { this.onClosed = resolve; });
  }

  private close(): Promise<void> {
    if (!this.closed) {
      this.closed = closeSource(this.source).then(() => { this.onClosed?.(); });
    }
    return this.closed;
  }
}

async function closeSource(source: SnapshotSource): Promise<void> {
  if (source.close) {
    await source.close().catch(() => undefined);
    return;
  }
  await Promise.all(source.plugins.map((p) => p.close?.().catch(() => undefined)));
}
