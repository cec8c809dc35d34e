import type { WriteRequest } from "@bms/nodes";
import type { PointErrorCode, PointWrite, WriteOutcome as PointWriteOutcome } from "../protocols/point-io";

export interface WriteOutcome {
  point: string;
  priority: number;
  value: WriteRequest["value"];
  ok: boolean;
  error?: string;
  code?: PointErrorCode;
}

/** Where commands go: the point I/O registry (any protocol), or a recording writer in tests. */
export interface PointWriter {
  write(writes: readonly PointWrite[]): Promise<PointWriteOutcome[]>;
}

/** The flow and node a command came from, so the priority-array view can name who holds a slot. */
export interface CommandHolder {
  flowId: string | null;
  nodeId: string | null;
}

export interface CommandStore {
  saveCommand(
    ref: string,
    priority: number,
    value: WriteRequest["value"],
    at: number,
    holder?: CommandHolder,
  ): void;
  deleteCommand(ref: string, priority: number): void;
  commands(): { ref: string; priority: number; flowId?: string | null; nodeId?: string | null }[];
}

interface Commanded {
  value: WriteRequest["value"];
  at: number;
  /** The flow (and node) whose command this is: a flow that stops relinquishes only its own. */
  holder: CommandHolder;
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
      this.commanded.set(key(c.ref, c.priority), {
        value: undefined as never,
        at: 0,
        holder: { flowId: c.flowId ?? null, nodeId: c.nodeId ?? null },
      });
  }

  /** Points (with priority) currently commanded, as `ref@priority`. */
  commandedPoints(): { ref: string; priority: number }[] {
    return [...this.commanded.keys()].map(splitKey);
  }

  /** Who holds a point at a priority through this supervisor (undefined: none of its flows). */
  holder(ref: string, priority: number): CommandHolder | undefined {
    return this.commanded.get(key(ref, priority))?.holder;
  }

  /**
   * The commands a flow holds through this supervisor, as last sent (value undefined: restored from the
   * store at start and not rewritten since). What a paused or dry-running flow still has in force.
   */
  commandsOf(flowId: string): {
    ref: string;
    priority: number;
    value: WriteRequest["value"] | undefined;
    at: number;
    nodeId: string | null;
  }[] {
    return [...this.commanded]
      .filter(([, c]) => c.holder.flowId === flowId)
      .map(([k, c]) => ({ ...splitKey(k), value: c.value, at: c.at, nodeId: c.holder.nodeId }));
  }

  /** Sends the writes of one scan of flow `flowId` that are due (changed, or heartbeat). */
  async apply(
    writes: readonly WriteRequest[],
    now: number,
    flowId: string | null = null,
  ): Promise<WriteOutcome[]> {
    const last = new Map<string, WriteRequest>();
    for (const w of writes) last.set(key(w.point, w.priority), w);
    const due = [...last.values()].filter((w) => {
      const previous = this.commanded.get(key(w.point, w.priority));
      if (!previous || previous.value === undefined) return true;
      if (!sameValue(previous.value, w.value)) return true;
      return w.heartbeatMs > 0 && now - previous.at >= w.heartbeatMs;
    });
    return this.send(
      due.map((w) => ({ ...w, holder: { flowId, nodeId: w.nodeId } })),
      now,
    );
  }

  /** Sends a batch (WPM per device where possible) and records what each device accepted. */
  private async send(
    batch: readonly {
      point: string;
      value: WriteRequest["value"];
      priority: number;
      qos?: 0 | 1 | 2;
      retain?: boolean;
      holder?: CommandHolder;
    }[],
    now: number,
  ): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = new Array(batch.length);
    // The registry answers refs no plugin takes (or that do not parse) with a coded failure.
    const results = await this.writer.write(
      batch.map((w) => ({
        ref: w.point,
        value: w.value,
        priority: w.priority,
        ...(w.qos === undefined ? {} : { qos: w.qos }),
        ...(w.retain === undefined ? {} : { retain: w.retain }),
      })),
    );
    batch.forEach((w, i) => {
      const result = results[i]!;
      if (result.ok) {
        const k = key(w.point, w.priority);
        if (w.value === null) {
          this.commanded.delete(k);
          this.store.deleteCommand(w.point, w.priority);
        } else {
          this.commanded.set(k, {
            value: w.value,
            at: now,
            holder: w.holder ?? { flowId: null, nodeId: null },
          });
          this.store.saveCommand(w.point, w.priority, w.value, now, w.holder);
        }
        outcomes[i] = { point: w.point, priority: w.priority, value: w.value, ok: true };
      } else {
        outcomes[i] = {
          point: w.point,
          priority: w.priority,
          value: w.value,
          ok: false,
          error: result.error ?? "write failed",
          ...(result.code ? { code: result.code } : {}),
        };
      }
    });
    return outcomes;
  }

  /**
   * Puts a command another part of this supervisor is about to send itself (a commissioning write test)
   * on the list, durably, BEFORE it is sent: a process killed between that write and its own relinquish
   * leaves the slot here, and `relinquishHeldBy` at the next start relinquishes it like any command.
   */
  reserve(
    ref: string,
    priority: number,
    value: WriteRequest["value"],
    holder: CommandHolder,
    now = Date.now(),
  ): void {
    this.commanded.set(key(ref, priority), { value: undefined as never, at: now, holder });
    this.store.saveCommand(ref, priority, value, now, holder);
  }

  /** Takes a reserved command off the list once its sender has relinquished it itself. */
  forget(ref: string, priority: number): void {
    this.commanded.delete(key(ref, priority));
    this.store.deleteCommand(ref, priority);
  }

  /**
   * Relinquishes (NULL at the priority) every commanded point, or only those not in `keep`; with
   * `flowId`, only the commands that flow holds (rows from before holders were recorded, with no flow,
   * go with the whole site only). A failed relinquish stays on the list so the next stop or deploy
   * tries again.
   */
  relinquish(
    keep: ReadonlySet<string> = new Set(),
    now = Date.now(),
    flowId?: string,
  ): Promise<WriteOutcome[]> {
    return this.relinquishHeldBy((h) => flowId === undefined || h.flowId === flowId, keep, now);
  }

  /** `relinquish` of the commands whose holder `which` picks (a failed one stays on the list likewise). */
  async relinquishHeldBy(
    which: (holder: CommandHolder) => boolean,
    keep: ReadonlySet<string> = new Set(),
    now = Date.now(),
  ): Promise<WriteOutcome[]> {
    const targets = [...this.commanded]
      .filter(([k, c]) => !keep.has(k) && which(c.holder))
      .map(([k]) => splitKey(k));
    return this.send(
      targets.map((c) => ({ point: c.ref, value: null, priority: c.priority })),
      now,
    );
  }

  /** Forget cached values so the next scan rewrites everything (after a restart of the flow, or of all). */
  invalidate(flowId?: string): void {
    for (const entry of this.commanded.values())
      if (flowId === undefined || entry.holder.flowId === flowId) entry.value = undefined as never;
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
