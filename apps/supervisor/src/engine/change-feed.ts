import type {
  PointChange,
  PointIOCapabilities,
  PointReading,
  SubscriptionStatus,
} from "../protocols/point-io";

/** The registry's side: which plugin serves a ref, whether it pushes, and the subscription itself. */
export interface PushSource {
  route(ref: string): { ok: true; protocol: string } | { ok: false };
  capabilities(protocol: string): PointIOCapabilities | undefined;
  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void;
  subscriptions(): SubscriptionStatus[];
}

/**
 * Values the field pushes for on-change flows, from every protocol through the one registry seam:
 * BACnet by COV (its plugin renews subscriptions and polls where a device refuses), MQTT messages, a
 * virtual point written. A pushed value is current until the next
 * push, so the scan uses it instead of a read; a plugin marks a value that went stale by pushing a
 * reading with that quality. Changed values start the flows that watch them.
 */
export class ChangeFeed {
  private readonly pushed = new Map<string, PointReading>();
  private subscribed = "";
  private pushedRefs = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(
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
      this.subscribed = key;
      this.pushedRefs = new Set(pushing);
      // Values of refs still watched stay current (a COV device only notifies on the next change).
      for (const ref of this.pushed.keys()) if (!this.pushedRefs.has(ref)) this.pushed.delete(ref);
      if (pushing.length > 0)
        this.unsubscribe = this.points.subscribe(pushing, (changes) => this.receive(changes));
    }
  }

  cached(ref: string): PointReading | undefined {
    return this.pushed.get(ref);
  }

  /** Each watched ref and how it is served: the plugin's own word (BACnet: cov, poll) or "push". */
  status(): SubscriptionStatus[] {
    const detailed = new Map(
      this.points
        .subscriptions()
        .filter((s) => this.pushedRefs.has(s.ref))
        .map((s) => [s.ref, s]),
    );
    return [...this.pushedRefs].map((ref) => detailed.get(ref) ?? { ref, mode: "push" });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribed = "";
    this.pushedRefs = new Set();
    this.pushed.clear();
  }

  private receive(changes: readonly PointChange[]): void {
    const changed: string[] = [];
    for (const { ref, reading } of changes) {
      if (!this.pushedRefs.has(ref)) continue;
      const before = this.pushed.get(ref);
      this.pushed.set(ref, reading);
      if (!before || before.value !== reading.value || before.quality !== reading.quality) changed.push(ref);
    }
    if (changed.length > 0) this.onChange(changed);
  }
}
