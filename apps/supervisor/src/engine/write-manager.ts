import type { WriteRequest } from "@bms/nodes";
import { type BacnetPointRef, parsePointRef } from "@bms/schemas";

export interface WriteOutcome {
  point: string;
  priority: number;
  value: WriteRequest["value"];
  ok: boolean;
  error?: string;
}

export interface PointWriter {
  writePoint(ref: BacnetPointRef, value: WriteRequest["value"], priority: number): Promise<void>;
}

export interface CommandStore {
  saveCommand(ref: string, priority: number, value: WriteRequest["value"], at: number): void;
  deleteCommand(ref: string, priority: number): void;
  commands(): { ref: string; priority: number }[];
}

interface Commanded {
  value: WriteRequest["value"];
  at: number;
}

/**
 * Sends a scan's writes the way a careful integrator would: only when the value changed or the
 * heartbeat is due, one command per point and priority per scan (the last one wins), and it remembers
 * every point it commanded so stopping a flow relinquishes exactly those.
 */
export class WriteManager {
  private readonly commanded = new Map<string, Commanded>();

  constructor(
    private readonly writer: PointWriter,
    private readonly store: CommandStore,
  ) {
    for (const c of store.commands())
      this.commanded.set(key(c.ref, c.priority), { value: undefined as never, at: 0 });
  }

  /** Points (with priority) currently commanded, as `ref@priority`. */
  commandedPoints(): { ref: string; priority: number }[] {
    return [...this.commanded.keys()].map(splitKey);
  }

  async apply(writes: readonly WriteRequest[], now: number): Promise<WriteOutcome[]> {
    const last = new Map<string, WriteRequest>();
    for (const w of writes) last.set(key(w.point, w.priority), w);
    const due = [...last.values()].filter((w) => {
      const previous = this.commanded.get(key(w.point, w.priority));
      if (!previous || previous.value === undefined) return true;
      if (!sameValue(previous.value, w.value)) return true;
      return w.heartbeatMs > 0 && now - previous.at >= w.heartbeatMs;
    });
    return Promise.all(due.map((w) => this.send(w.point, w.value, w.priority, now)));
  }

  private async send(
    point: string,
    value: WriteRequest["value"],
    priority: number,
    now: number,
  ): Promise<WriteOutcome> {
    const parsed = parsePointRef(point);
    if (!parsed.ok || parsed.ref.protocol !== "bacnet") {
      return {
        point,
        priority,
        value,
        ok: false,
        error: parsed.ok ? `protocol ${parsed.ref.protocol} is not available` : parsed.message,
      };
    }
    try {
      await this.writer.writePoint(parsed.ref, value, priority);
      const k = key(point, priority);
      if (value === null) {
        this.commanded.delete(k);
        this.store.deleteCommand(point, priority);
      } else {
        this.commanded.set(k, { value, at: now });
        this.store.saveCommand(point, priority, value, now);
      }
      return { point, priority, value, ok: true };
    } catch (error) {
      return {
        point,
        priority,
        value,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /**
   * Relinquishes (NULL at the priority) every commanded point, or only those not in `keep`. A failed
   * relinquish stays on the list so the next stop or deploy tries again.
   */
  async relinquish(keep: ReadonlySet<string> = new Set(), now = Date.now()): Promise<WriteOutcome[]> {
    const targets = this.commandedPoints().filter((c) => !keep.has(key(c.ref, c.priority)));
    return Promise.all(targets.map((c) => this.send(c.ref, null, c.priority, now)));
  }

  /** Forget cached values so the next scan rewrites everything (after a restart of the flow). */
  invalidate(): void {
    for (const entry of this.commanded.values()) entry.value = undefined as never;
  }
}

export function key(ref: string, priority: number): string {
  return `${ref}@${priority}`;
}

function splitKey(k: string): { ref: string; priority: number } {
  const at = k.lastIndexOf("@");
  return { ref: k.slice(0, at), priority: Number(k.slice(at + 1)) };
}

function sameValue(a: WriteRequest["value"], b: WriteRequest["value"]): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || Math.abs(a - b) < 1e-9;
  return a === b;
}
