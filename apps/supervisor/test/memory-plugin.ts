import type {
  BrowseEntry,
  PluginContext,
  PluginHealth,
  PointChange,
  PointIO,
  PointIOPluginModule,
  PointLabels,
  PointReading,
  PointWrite,
  WriteOutcome,
} from "../src/protocols/point-io";

/**
 * A small in-memory protocol, `mem:<name>`, standing in for a third-party plugin in tests (it is not a
 * copy of anything we ship): values live in a Map, `mem:missing/...` answers device_error, and a test
 * can make the whole plugin throw to see the registry contain it.
 */
export class MemoryPointIO implements PointIO {
  readonly capabilities = {
    priority: false,
    priorityArray: false,
    subscribe: true,
    browse: true,
    write: true,
  };
  readonly values = new Map<string, number | boolean | string | null>();
  /** Every batch `read` received, to prove the registry calls a plugin once per batch. */
  readonly readBatches: string[][] = [];
  /** Set by a test to give the points units or state texts. */
  labels?: (ref: string) => PointLabels | undefined;
  throwOnRead = false;
  throwOnHealth = false;
  private readonly listeners = new Set<{ refs: Set<string>; onChange: (c: PointChange[]) => void }>();
  private errors = 0;
  private started = false;
  private closed = false;

  constructor(
    readonly protocol: string,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.started = true;
  }

  async read(refs: readonly string[]): Promise<PointReading[]> {
    this.readBatches.push([...refs]);
    if (this.throwOnRead) throw new Error("the memory plugin was told to fail");
    return refs.map((ref) => this.readOne(ref));
  }

  private readOne(ref: string): PointReading {
    const timestamp = this.now();
    if (this.closed) return { value: null, quality: "bad", code: "busy", reason: "shut down", timestamp };
    const name = ref.slice(this.protocol.length + 1);
    if (name.startsWith("missing/")) {
      this.errors++;
      return { value: null, quality: "bad", code: "device_error", reason: "no such point", timestamp };
    }
    return { value: this.values.get(name) ?? null, quality: "good", timestamp };
  }

  async write(writes: readonly PointWrite[]): Promise<WriteOutcome[]> {
    const changes: PointChange[] = [];
    const outcomes = writes.map((w): WriteOutcome => {
      const name = w.ref.slice(this.protocol.length + 1);
      if (name.startsWith("readonly/")) return { ok: false, code: "write_denied", error: "read-only" };
      this.values.set(name, w.value);
      changes.push({ ref: w.ref, reading: this.readOne(w.ref) });
      return { ok: true };
    });
    for (const listener of this.listeners) {
      const mine = changes.filter((c) => listener.refs.has(c.ref));
      if (mine.length > 0) listener.onChange(mine);
    }
    return outcomes;
  }

  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void {
    const listener = { refs: new Set(refs), onChange };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async browse(parentId?: string): Promise<BrowseEntry[]> {
    if (parentId !== undefined) return [];
    return [...this.values.keys()].map((name) => ({
      id: name,
      name,
      kind: "point" as const,
      ref: `${this.protocol}:${name}`,
      writable: true,
    }));
  }

  health(): PluginHealth {
    if (this.throwOnHealth) throw new Error("health exploded");
    return {
      protocol: this.protocol,
      state: this.closed ? "down" : this.started ? "ok" : "disabled",
      connections: this.started && !this.closed ? 1 : 0,
      errors: this.errors,
    };
  }

  async shutdown(): Promise<void> {
    this.closed = true;
  }
}

/** The module form, as a plugins directory would export it; `instances` lets a test reach the plugin. */
export function memoryPluginModule(protocol = "mem"): PointIOPluginModule & { instances: MemoryPointIO[] } {
  const instances: MemoryPointIO[] = [];
  return {
    name: `test-${protocol}`,
    protocol,
    version: "0.0.1",
    instances,
    create(context: PluginContext) {
      const io = new MemoryPointIO(protocol, () => context.now());
      const initial = (context.config as { values?: Record<string, number> } | undefined)?.values ?? {};
      for (const [name, value] of Object.entries(initial)) io.values.set(name, value);
      instances.push(io);
      return io;
    },
  };
}
