import type { Trigger } from "@bms/schemas";
import { Cron } from "croner";

export type ScanReason = "interval" | "cron" | "on_change" | "manual";

interface Clock {
  timer: NodeJS.Timeout | undefined;
  ticks: Set<() => void>;
}

/**
 * One phase clock per scan interval, shared by the flows of a site: every flow on a 1 s interval starts
 * its scan on the same tick, at whole multiples of the period. Their reads then meet in one batch per
 * device (SharedReads), so twenty flows cost the BACnet requests of one flow holding the same points.
 * Each tick is due one period after the last, on the wall clock, so the phase never drifts.
 */
export class PhaseClocks {
  private readonly clocks = new Map<number, Clock>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `tick` on every tick of the period's clock until the returned leave() is called. */
  join(periodMs: number, tick: () => void): () => void {
    let clock = this.clocks.get(periodMs);
    if (!clock) {
      clock = { timer: undefined, ticks: new Set() };
      this.clocks.set(periodMs, clock);
      this.arm(periodMs, clock);
    }
    clock.ticks.add(tick);
    return () => {
      const c = this.clocks.get(periodMs);
      if (!c) return;
      c.ticks.delete(tick);
      if (c.ticks.size > 0) return;
      clearTimeout(c.timer);
      this.clocks.delete(periodMs);
    };
  }

  /** Periods with a running clock (tests, status). */
  periods(): number[] {
    return [...this.clocks.keys()];
  }

  /**
   * Arms the next tick: one period after the tick just served (`due`), or the next whole period when the
   * loop fell behind or the wall clock jumped. Timers can fire a millisecond before the wall clock reaches their due time, so the
   * next tick is never computed from `now` alone: that armed a second tick for the same instant.
   */
  private arm(periodMs: number, clock: Clock, due?: number) {
    const now = this.now();
    // A wall clock stepped back (NTP, an operator) must not hold the flows until it catches up again;
    // half a period of slack covers a timer firing a little before the wall clock reaches `due`.
    const following = due === undefined ? undefined : due + periodMs;
    const next =
      following !== undefined && following > now && following - now < periodMs * 1.5
        ? following
        : (Math.floor(now / periodMs) + 1) * periodMs;
    clock.timer = setTimeout(() => {
      if (this.clocks.get(periodMs) !== clock) return;
      this.arm(periodMs, clock, next);
      // Each flow's tick only starts its scan (the first await is its read); none runs another's.
      for (const tick of [...clock.ticks]) tick();
    }, next - now);
  }
}

/**
 * Starts scans on the flow's trigger and never overlaps them: a scan that overruns its period delays
 * the next one instead of piling up (a slow BACnet network must not turn into a request storm). On a
 * site's phase clock, the next scan is the next tick the flow is free for.
 */
export class ScanScheduler {
  private timer: NodeJS.Timeout | undefined;
  private cron: Cron | undefined;
  private running = false;
  private stopped = true;
  private pendingChange = false;
  private leaveClock: (() => void) | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  overruns = 0;

  constructor(
    private readonly trigger: Trigger,
    private readonly runScan: (reason: ScanReason) => Promise<void>,
    /** The site's phase clocks: interval scans start on their period's shared tick (own timer when absent). */
    private readonly clocks?: PhaseClocks,
  ) {}

  start(): void {
    this.stopped = false;
    switch (this.trigger.type) {
      case "interval":
        this.schedule(0, "interval");
        if (this.clocks) {
          const period = this.trigger.interval_ms;
          this.leaveClock?.();
          this.leaveClock = this.clocks.join(period, () => this.tick(period));
        }
        break;
      case "cron":
        this.cron = new Cron(
          this.trigger.expression,
          { timezone: this.trigger.timezone, protect: true },
          () => {
            void this.fire("cron");
          },
        );
        // A cron flow also evaluates once at start, so its outputs are known before the first tick.
        void this.fire("cron");
        break;
      case "on_change":
        // The engine calls notifyChange() on COV/poll changes; this timer is the max_interval fallback.
        this.schedule(0, "on_change");
        break;
    }
  }

  stop(): void {
    this.stopped = true;
    this.leaveClock?.();
    this.leaveClock = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.cron?.stop();
    this.cron = undefined;
  }

  /** An input changed: run a scan soon (debounced), for on_change flows. */
  notifyChange(): void {
    if (this.trigger.type !== "on_change" || this.stopped) return;
    if (this.running) {
      this.pendingChange = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.schedule(this.trigger.debounce_ms, "on_change");
  }

  nextRun(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  private schedule(delayMs: number, reason: ScanReason) {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.fire(reason), delayMs);
  }

  /**
   * A tick of the phase clock. A flow still scanning misses it (an overrun) and waits for the next, so a
   * slow flow never piles up scans and never holds up the other flows on the clock. The tick right
   * after the start-up scan is skipped when it comes within half a period of it.
   */
  private tick(periodMs: number) {
    if (this.stopped) return;
    if (!this.running && Date.now() - this.lastStart < periodMs / 2) return;
    void this.fire("interval");
  }

  private async fire(reason: ScanReason) {
    if (this.stopped) return;
    if (this.running) {
      this.overruns++;
      return;
    }
    this.running = true;
    const started = Date.now();
    this.lastStart = started;
    try {
      await this.runScan(reason);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    const elapsed = Date.now() - started;
    if (this.trigger.type === "interval") {
      // On a phase clock the next scan is the next tick (a tick that came while this scan ran counted
      // the overrun); alone, the period is measured from this scan's start.
      if (this.clocks) return;
      const period = this.trigger.interval_ms;
      if (elapsed > period) this.overruns++;
      this.schedule(Math.max(0, period - elapsed), "interval");
    } else if (this.trigger.type === "on_change") {
      if (this.pendingChange) {
        this.pendingChange = false;
        this.schedule(this.trigger.debounce_ms, "on_change");
      } else {
        this.schedule(this.trigger.max_interval_ms, "on_change");
      }
    }
  }
}
