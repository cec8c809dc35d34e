import type { EventsRepo } from "../storage/events-repo";
import type { ManualOverride, OverridesRepo, OverrideValue } from "../storage/overrides-repo";

/** Writes through the point I/O registry: the point's canonical ref, the value (null relinquishes), the slot. */
export type PointWriter = (
  point: string,
  value: OverrideValue | null,
  priority: number,
) => Promise<{ ok: boolean; error?: string }>;

/** How often due overrides are looked for, and how long a failed relinquish waits before the next try. */
const TICK_MS = 1000;
const RETRY_MS = 10_000;

/**
 * Timed manual overrides: writes the value at its priority, and relinquishes that priority (NULL) when
 * the override expires or an operator ends it. The open overrides live in runtime.db, so a restart keeps
 * each expiry and relinquishes at once those that expired while the supervisor was down. A relinquish
 * the device refuses (offline) is retried until it is done: an override never silently outlives its time.
 */
export class OverrideManager {
  private timer: NodeJS.Timeout | null = null;
  private readonly lastTry = new Map<number, number>();
  private readonly ending = new Set<number>();

  constructor(
    private readonly repo: OverridesRepo,
    private readonly events: EventsRepo,
    private readonly write: PointWriter,
    /** Whether a flow now commands this slot (deployed after the override began). */
    private readonly heldByFlow: (point: string, priority: number) => boolean = () => false,
    /** The audit trail's record of an expiry: ok once relinquished, failed once on the first refusal. */
    private readonly onExpiry: (o: ManualOverride, ok: boolean, reason: string) => void = () => undefined,
  ) {}

  private readonly expiryFailureRecorded = new Set<number>();

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  open(): ManualOverride[] {
    return this.repo.open();
  }

  /** Writes the value; the override exists only once the device took it. */
  async begin(o: {
    point: string;
    priority: number;
    value: OverrideValue;
    before: unknown;
    minutes: number;
    by: string;
  }): Promise<ManualOverride> {
    const outcome = await this.write(o.point, o.value, o.priority);
    if (!outcome.ok) throw new OverrideWriteError(outcome.error ?? "write failed");
    const now = Date.now();
    const created = this.repo.add({
      point: o.point,
      priority: o.priority,
      value: o.value,
      before: o.before,
      startedAt: now,
      expiresAt: now + Math.round(o.minutes * 60_000),
      createdBy: o.by,
    });
    this.events.add(
      "info",
      "overrides",
      `override ${o.point} = ${String(o.value)} @${o.priority} for ${o.minutes} min by ${o.by}`,
    );
    return created;
  }

  /** Ends an open override now: relinquishes its priority, then closes it. */
  async end(id: number, by: string, reason: string): Promise<ManualOverride> {
    const o = this.repo.get(id);
    if (!o) throw new OverrideNotFoundError(id);
    if (o.endedAt !== null) return o;
    await this.relinquish(o, by, reason, true);
    return this.repo.get(id)!;
  }

  private async relinquish(o: ManualOverride, by: string, reason: string, strict: boolean): Promise<void> {
    if (this.ending.has(o.id)) {
      if (strict) throw new OverrideWriteError("the override is being relinquished");
      return;
    }
    this.ending.add(o.id);
    try {
      this.lastTry.set(o.id, Date.now());
      // A flow deployed since commands this slot now: a NULL would take its command away, so the
      // override closes without writing (the flow's value already replaced the override's).
      if (this.heldByFlow(o.point, o.priority)) {
        this.repo.end(o.id, Date.now(), by, `${reason}; the slot is now commanded by a flow, left as it is`);
        this.lastTry.delete(o.id);
        this.events.add(
          "warn",
          "overrides",
          `override ${o.point} @${o.priority} ended (${reason}) without a relinquish: a flow commands that slot`,
        );
        return;
      }
      const outcome = await this.write(o.point, null, o.priority);
      if (!outcome.ok) {
        this.events.add(
          "warn",
          "overrides",
          `relinquish of ${o.point} @${o.priority} failed: ${outcome.error}`,
        );
        if (strict) throw new OverrideWriteError(outcome.error ?? "relinquish failed");
        if (!this.expiryFailureRecorded.has(o.id)) {
          this.expiryFailureRecorded.add(o.id);
          this.onExpiry(o, false, `relinquish failed, retried every ${RETRY_MS / 1000} s: ${outcome.error}`);
        }
        return;
      }
      this.repo.end(o.id, Date.now(), by, reason);
      if (!strict) this.onExpiry(o, true, reason);
      this.expiryFailureRecorded.delete(o.id);
      this.lastTry.delete(o.id);
      this.events.add("info", "overrides", `override ${o.point} @${o.priority} ended (${reason}) by ${by}`);
    } finally {
      this.ending.delete(o.id);
    }
  }

  /** Relinquishes every expired override (a failed one again after RETRY_MS). */
  async tick(): Promise<void> {
    const now = Date.now();
    const due = this.repo
      .open()
      .filter((o) => o.expiresAt <= now && now - (this.lastTry.get(o.id) ?? 0) >= RETRY_MS);
    await Promise.all(due.map((o) => this.relinquish(o, "supervisor", "expired", false)));
  }
}

/** The device did not take the write or the relinquish (offline, refused). */
export class OverrideWriteError extends Error {
  readonly code = "override_write_failed";
}

export class OverrideNotFoundError extends Error {
  readonly code = "override_not_found";
  constructor(id: number) {
    super(`no override with id ${id}`);
  }
}
