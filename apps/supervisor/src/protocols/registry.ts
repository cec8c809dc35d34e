import { pointRefScheme } from "@bms/schemas";
import { parsedPointRef } from "./parsed-refs";
import { PerList } from "./per-list";
import type {
  BrowseEntry,
  PluginHealth,
  PointChange,
  PointErrorCode,
  PointIO,
  PointIOCapabilities,
  PointLabels,
  PointReading,
  PointWrite,
  SubscriptionStatus,
  WriteOutcome,
} from "./point-io";

/** Who a registered plugin is: shown by `GET /api/plugins` and in logs. */
export interface PluginInfo {
  name: string;
  protocol: string;
  version: string;
}

export interface PluginStatus extends PluginInfo {
  capabilities: PointIOCapabilities;
  health: PluginHealth;
}

export type RegistryErrorCode = "duplicate_protocol" | "protocol_mismatch" | "no_plugin" | "unsupported";

/** A registry refusal, with a code callers (routes, start-up) branch on. */
export class RegistryError extends Error {
  override name = "RegistryError";
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  info: PluginInfo;
  io: PointIO;
  /** Failures of the plugin itself that the registry contained (throws, wrong answers). */
  failures: number;
  lastFailure?: string;
  lastFailureAt?: number;
}

/** A plugin failure counts against its health for this long after it happened. */
const DEGRADED_FOR_MS = 60_000;

/**
 * Every protocol behind one door: refs are split by scheme, each plugin gets its batch once, and the
 * answers come back in the caller's order. A plugin that throws or answers nonsense is contained: its
 * points read bad with `plugin_error`, its health shows the failure, and the other plugins' points are
 * untouched. Nothing above this file knows which protocols exist.
 */
export class PointIORegistry {
  private readonly entries = new Map<string, Entry>();
  /** How a list of refs splits among the plugins, remembered per list (a flow reads the same ones each scan). */
  private readonly readRouting = new PerList((refs: readonly string[]) => {
    const refused: { index: number; code: PointErrorCode; message: string }[] = [];
    const split = this.split(refs, (index, code, message) => refused.push({ index, code, message }));
    return {
      plugins: this.entries.size,
      refused,
      batches: [...split].map(([protocol, indexes]) => ({
        protocol,
        indexes,
        // Frozen: the same list goes to the plugin every scan, so a plugin must not be able to change it.
        refs: Object.freeze(indexes.map((i) => refs[i]!)),
      })),
    };
  });

  constructor(private readonly now: () => number = Date.now) {}

  register(info: PluginInfo, io: PointIO): void {
    if (io.protocol !== info.protocol) {
      throw new RegistryError(
        "protocol_mismatch",
        `plugin ${info.name} declares protocol "${info.protocol}" but its PointIO answers "${io.protocol}"`,
      );
    }
    const existing = this.entries.get(info.protocol);
    if (existing) {
      throw new RegistryError(
        "duplicate_protocol",
        `plugin ${info.name} claims protocol "${info.protocol}", already served by ${existing.info.name}`,
      );
    }
    this.entries.set(info.protocol, { info, io, failures: 0 });
  }

  get protocols(): string[] {
    return [...this.entries.keys()];
  }

  get(protocol: string): PointIO | undefined {
    return this.entries.get(protocol)?.io;
  }

  /**
   * A plugin's own class, for protocol extras the seam does not carry (BACnet's priority arrays,
   * discovery): an `instanceof` check, so a wrong guess is `undefined`, never a bad cast.
   */
  find<T extends PointIO>(protocol: string, kind: abstract new (...args: never[]) => T): T | undefined {
    const io = this.get(protocol);
    return io instanceof kind ? io : undefined;
  }

  capabilities(protocol: string): PointIOCapabilities | undefined {
    return this.entries.get(protocol)?.io.capabilities;
  }

  /** Which plugin a ref goes to, or why none does. */
  route(ref: string): { ok: true; protocol: string } | { ok: false; code: PointErrorCode; message: string } {
    const parsed = parsedPointRef(ref);
    if (!parsed.ok) return { ok: false, code: "invalid_ref", message: parsed.message };
    const protocol = pointRefScheme(parsed.ref);
    if (!this.entries.has(protocol))
      return { ok: false, code: "no_plugin", message: `no plugin serves ${protocol}: points` };
    return { ok: true, protocol };
  }

  /** Starts every plugin, in registration order. A plugin that cannot start stops the supervisor's start. */
  async start(): Promise<void> {
    for (const entry of this.entries.values()) await entry.io.start();
  }

  async read(refs: readonly string[]): Promise<PointReading[]> {
    const routing = this.readRouting.get(refs, (r) => r.plugins === this.entries.size);
    const only = routing.batches.length === 1 ? routing.batches[0]! : undefined;
    if (only !== undefined && routing.refused.length === 0) {
      // One plugin answers for every ref, in order (a device's batch from SharedReads, every scan): a
      // well-formed answer is handed on as it is, without a copy per point.
      const answers = await this.readBatch(only.protocol, only.refs);
      if (answers.every(isReading)) return answers;
      const out: PointReading[] = new Array(refs.length);
      this.place(only.protocol, answers, only.indexes, out);
      return out;
    }
    const out: PointReading[] = new Array(refs.length);
    for (const r of routing.refused) out[r.index] = this.bad(r.code, r.message);
    await Promise.all(
      routing.batches.map(async ({ protocol, indexes, refs: batch }) => {
        this.place(protocol, await this.readBatch(protocol, batch), indexes, out);
      }),
    );
    return out;
  }

  /**
   * One plugin's answer to its batch, as many readings as refs: a plugin that throws or answers another
   * count fails the whole batch with `plugin_error` (the items are checked by `place`).
   */
  private async readBatch(protocol: string, batch: readonly string[]): Promise<unknown[]> {
    const entry = this.entries.get(protocol)!;
    try {
      // The same list object each time `refs` is: the plugin can remember its own work per list.
      const answers: unknown = await entry.io.read(batch);
      if (!Array.isArray(answers) || answers.length !== batch.length)
        throw new Error(`answered ${answerCount(answers)} readings for ${batch.length} refs`);
      return answers;
    } catch (error) {
      const message = this.fail(entry, "read", error);
      return batch.map(() => this.bad("plugin_error", message));
    }
  }

  /** A batch's answers into their places in `out`; a malformed one reads bad and counts as a failure. */
  private place(
    protocol: string,
    answers: readonly unknown[],
    indexes: readonly number[],
    out: PointReading[],
  ) {
    const entry = this.entries.get(protocol)!;
    indexes.forEach((i, n) => {
      const answer = answers[n];
      out[i] = isReading(answer)
        ? answer
        : this.bad("plugin_error", this.fail(entry, "read", new Error("answered a malformed reading")));
    });
  }

  async write(writes: readonly PointWrite[]): Promise<WriteOutcome[]> {
    const out: WriteOutcome[] = new Array(writes.length);
    const batches = this.split(
      writes.map((w) => w.ref),
      (i, code, message) => {
        out[i] = { ok: false, code, error: message };
      },
    );
    await Promise.all(
      [...batches].map(async ([protocol, indexes]) => {
        const entry = this.entries.get(protocol)!;
        if (!entry.io.capabilities.write) {
          for (const i of indexes)
            out[i] = { ok: false, code: "unsupported", error: `${protocol}: points cannot be written` };
          return;
        }
        let answers: WriteOutcome[];
        try {
          answers = await entry.io.write(indexes.map((i) => writes[i]!));
          if (!Array.isArray(answers) || answers.length !== indexes.length)
            throw new Error(`answered ${answerCount(answers)} outcomes for ${indexes.length} writes`);
        } catch (error) {
          const message = this.fail(entry, "write", error);
          for (const i of indexes) out[i] = { ok: false, code: "plugin_error", error: message };
          return;
        }
        indexes.forEach((i, n) => {
          const answer = answers[n];
          out[i] =
            answer && typeof answer.ok === "boolean"
              ? answer
              : {
                  ok: false,
                  code: "plugin_error",
                  error: this.fail(entry, "write", new Error("answered a malformed outcome")),
                };
        });
      }),
    );
    return out;
  }

  /**
   * Subscribes each plugin that pushes changes to its refs; refs of other plugins are left to polling.
   * Returns one unsubscribe for all of them.
   */
  subscribe(refs: readonly string[], onChange: (changes: PointChange[]) => void): () => void {
    const batches = this.split(refs, () => undefined);
    const unsubscribes: (() => void)[] = [];
    for (const [protocol, indexes] of batches) {
      const entry = this.entries.get(protocol)!;
      if (!entry.io.capabilities.subscribe || !entry.io.subscribe) continue;
      try {
        unsubscribes.push(
          entry.io.subscribe(
            indexes.map((i) => refs[i]!),
            onChange,
          ),
        );
      } catch (error) {
        this.fail(entry, "subscribe", error);
      }
    }
    return () => {
      for (const unsubscribe of unsubscribes) {
        try {
          unsubscribe();
        } catch {
          // A plugin that cannot unsubscribe cleanly is shut down with the rest; nothing to undo here.
        }
      }
    };
  }

  /**
   * How a point's value reads for people, asked of the plugin that serves it. Undefined when no plugin
   * serves the ref, it keeps no labels, or it fails: labels only decorate a value, they never fail a read.
   */
  labels(ref: string): PointLabels | undefined {
    const routed = this.route(ref);
    if (!routed.ok) return undefined;
    const entry = this.entries.get(routed.protocol)!;
    try {
      return entry.io.labels?.(ref);
    } catch (error) {
      this.fail(entry, "label a value", error);
      return undefined;
    }
  }

  /** What the plugins that detail their subscriptions say of each subscribed ref (BACnet: cov or poll). */
  subscriptions(): SubscriptionStatus[] {
    return [...this.entries.values()].flatMap((entry) => {
      if (!entry.io.subscriptions) return [];
      try {
        return entry.io.subscriptions();
      } catch (error) {
        this.fail(entry, "list subscriptions", error);
        return [];
      }
    });
  }

  async browse(protocol: string, parentId?: string): Promise<BrowseEntry[]> {
    const entry = this.entries.get(protocol);
    if (!entry) throw new RegistryError("no_plugin", `no plugin serves ${protocol}: points`);
    if (!entry.io.capabilities.browse || !entry.io.browse)
      throw new RegistryError("unsupported", `the ${protocol} plugin cannot browse`);
    try {
      return await entry.io.browse(parentId);
    } catch (error) {
      this.fail(entry, "browse", error);
      throw error;
    }
  }

  /** Every plugin's health, with the failures the registry contained folded in. */
  health(): PluginHealth[] {
    return [...this.entries.values()].map((entry) => this.healthOf(entry));
  }

  plugins(): PluginStatus[] {
    return [...this.entries.values()].map((entry) => ({
      ...entry.info,
      capabilities: entry.io.capabilities,
      health: this.healthOf(entry),
    }));
  }

  /** Shuts every plugin down; one that fails to close does not keep the others open. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((entry) => entry.io.shutdown()));
  }

  private healthOf(entry: Entry): PluginHealth {
    let health: PluginHealth;
    try {
      health = entry.io.health();
    } catch (error) {
      const message = this.fail(entry, "health", error);
      return {
        protocol: entry.info.protocol,
        state: "down",
        connections: 0,
        errors: entry.failures,
        last_error: message,
      };
    }
    if (entry.failures === 0) return health;
    const recent = entry.lastFailureAt !== undefined && this.now() - entry.lastFailureAt < DEGRADED_FOR_MS;
    // A recent contained failure is the news; an old one yields to what the plugin reports itself.
    const lastError = recent ? entry.lastFailure : (health.last_error ?? entry.lastFailure);
    return {
      ...health,
      state: recent && health.state === "ok" ? "degraded" : health.state,
      errors: health.errors + entry.failures,
      ...(lastError === undefined ? {} : { last_error: lastError }),
    };
  }

  /** Groups the indexes of `refs` by plugin; refs no plugin takes are answered through `refuse`. */
  private split(
    refs: readonly string[],
    refuse: (index: number, code: PointErrorCode, message: string) => void,
  ): Map<string, number[]> {
    const batches = new Map<string, number[]>();
    refs.forEach((ref, i) => {
      const route = this.route(ref);
      if (!route.ok) refuse(i, route.code, route.message);
      else {
        const list = batches.get(route.protocol);
        if (list) list.push(i);
        else batches.set(route.protocol, [i]);
      }
    });
    return batches;
  }

  /** Records a contained plugin failure; returns the text its points carry. */
  private fail(entry: Entry, what: string, error: unknown): string {
    const detail = error instanceof Error ? error.message : String(error);
    const message = `plugin ${entry.info.name} failed to ${what}: ${detail}`.slice(0, 500);
    entry.failures++;
    entry.lastFailure = message;
    entry.lastFailureAt = this.now();
    return message;
  }

  private bad(code: PointErrorCode, reason: string): PointReading {
    return { value: null, quality: "bad", code, reason, timestamp: this.now() };
  }
}

function answerCount(answers: unknown): string {
  return Array.isArray(answers) ? String(answers.length) : typeof answers;
}

/** Checked for every reading of every scan: plain comparisons (a Set lookup per reading was visible in profiles). */
function isReading(answer: unknown): answer is PointReading {
  if (!answer || typeof answer !== "object") return false;
  const r = answer as Partial<PointReading>;
  const q = r.quality;
  return (q === "good" || q === "bad" || q === "uncertain") && typeof r.timestamp === "number";
}
