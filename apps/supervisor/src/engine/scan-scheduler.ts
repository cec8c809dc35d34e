import type { Trigger } from "@bms/schemas";
import { Cron } from "croner";

export type ScanReason = "interval" | "cron" | "on_change" | "manual";

/**
 * Starts scans on the flow's trigger and never overlaps them: a scan that overruns its period delays
 * the next one instead of piling up (a slow BACnet network must not turn into a request storm).
 */
export class ScanScheduler {
  private timer: NodeJS.Timeout | undefined;
  private cron: Cron | undefined;
  private running = false;
  private stopped = true;
  private pendingChange = false;
  overruns = 0;

  constructor(
    private readonly trigger: Trigger,
    private readonly runScan: (reason: ScanReason) => Promise<void>,
  ) {}

  start(): void {
    this.stopped = false;
    switch (this.trigger.type) {
      case "interval":
        this.schedule(0, "interval");
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

  private async fire(reason: ScanReason) {
    if (this.stopped) return;
    if (this.running) {
      this.overruns++;
      return;
    }
    this.running = true;
    const started = Date.now();
    try {
      await this.runScan(reason);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    const elapsed = Date.now() - started;
    if (this.trigger.type === "interval") {
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
