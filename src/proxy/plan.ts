// A proxy plan: everything compiled from one runtime snapshot that a request reads (router,
// plugin chains). Requests pin the plan they started with; a retired plan is closed once the
// last of its requests is done.
import type { RouteEntity, ServiceEntity } from '../config/types';
import type { PluginInstance } from '../plugins/plugin';
import { PluginChains } from './plugin-chain';
import { Router } from './router';

/** What the proxy needs from a runtime snapshot (config's ConfigSnapshot satisfies it). */
export interface SnapshotSource {
  readonly services: readonly ServiceEntity[];
  readonly routes: readonly RouteEntity[];
  /** Compiled plugin instances (disabled ones may be present; they are skipped). */
  readonly plugins: readonly PluginInstance[];
}

export class ProxyPlan {
  readonly router: Router;
  readonly chains: PluginChains;
  private inFlight = 0;
  private retired = false;
  private closed: Promise<void> | null = null;
  private onClosed: (() => void) | null = null;

  constructor(readonly source: SnapshotSource, readonly generation: number) {
    this.router = new Router(source.routes, source.services);
    this.chains = new PluginChains(source.plugins, source.routes);
  }

  get routeCount(): number {
    return this.source.routes.length;
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
  await Promise.allSettled(source.plugins.map((p) => p.close?.()));
}
