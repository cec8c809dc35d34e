import type { PointChange, PointIOCapabilities, PointReading } from "../protocols/point-io";

/** BACnet COV (CovManager: lifetimes, renewals, polling where refused): what the feed needs of it. */
export interface CovSource {
  set(refs: readonly string[]): Promise<void>;
  cached(ref: string): PointReading | undefined;
  status(): { ref: string; mode: string; reason?: string }[];
  stop(): Promise<void>;
}

/** The registry's side: which plugin serves a ref, whether it pushes, and the subscription itself. */
export interface PushSource {
  route(ref: string): { ok: true; protocol: string } | { ok: false };
  capabilities(protocol: string): PointIOCapabilities | undefined;
  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void;
}

/**
 * Values the field pushes for on-change flows, from every protocol: BACnet by COV, and each plugin
 * that subscribes (MQTT messages, a virtual point written). A pushed value is current until the next
 * push, so the scan uses it instead of a read; a plugin marks a value that went stale by pushing a
 * reading with that quality. Changed values start the flows that watch them.
 */
export class ChangeFeed {
  private readonly pushed = new Map<string, PointReading>();
  private subscribed = "";
  private pushedRefs: string[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cov: CovSource,
    private readonly points: PushSource,
    private readonly onChange: (refs: readonly string[]) => void,
  ) {}

  /** The inputs on-change flows watch now: subscribes what is new, drops what is no longer wanted. */
  async set(refs: readonly string[]): Promise<void> {
    const unique = [...new Set(refs)];
    const pushing = unique.filter((ref) => {
      const route = this.points.route(ref);
      return route.ok && this.points.capabilities(route.protocol)?.subscribe === true;
    });
    const key = [...pushing].sort().join("\n");
    if (key !== this.subscribed) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.pushed.clear();
      this.subscribed = key;
      this.pushedRefs = pushing;
      if (pushing.length > 0)
        this.unsubscribe = this.points.subscribe(pushing, (changes) => this.receive(changes));
    }
    await this.cov.set(unique);
  }

  cached(ref: string): PointReading | undefined {
    return this.cov.cached(ref) ?? this.pushed.get(ref);
  }

  status(): { ref: string; mode: string; reason?: string }[] {
    return [...this.cov.status(), ...this.pushedRefs.map((ref) => ({ ref, mode: "push" }))];
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribed = "";
    this.pushedRefs = [];
    this.pushed.clear();
    await this.cov.stop();
  }

  private receive(changes: readonly PointChange[]): void {
    const changed: string[] = [];
    for (const { ref, reading } of changes) {
      if (!this.pushedRefs.includes(ref)) continue;
      const before = this.pushed.get(ref);
      this.pushed.set(ref, reading);
      if (!before || before.value !== reading.value || before.quality !== reading.quality) changed.push(ref);
    }
    if (changed.length > 0) this.onChange(changed);
  }
}
