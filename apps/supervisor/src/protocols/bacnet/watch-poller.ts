import { type BacnetPointRef, parsePointRef } from "@bms/schemas";
import type { HistoryRecorder } from "../../engine/history-recorder";
import type { WatchListRepo } from "../../storage/watch-list-repo";
import type { BacnetService } from "./bacnet-service";

/**
 * Polls the watch list for history. Points the flow already reads are skipped: the scan records them,
 * and polling them twice would double the load on the device for nothing.
 */
export class WatchPoller {
  private timer: NodeJS.Timeout | undefined;
  private refs: { ref: string; parsed: BacnetPointRef }[] = [];
  private busy = false;

  constructor(
    private readonly bacnet: BacnetService,
    private readonly repo: WatchListRepo,
    private readonly history: HistoryRecorder,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.reload();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  reload(): void {
    this.refs = this.repo.list().flatMap((ref) => {
      const parsed = parsePointRef(ref);
      return parsed.ok && parsed.ref.protocol === "bacnet" ? [{ ref, parsed: parsed.ref }] : [];
    });
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    const due = this.refs.filter((r) => !this.history.points.has(r.ref));
    if (due.length === 0) return;
    this.busy = true;
    try {
      const results = await this.bacnet.readPoints(due.map((d) => d.parsed));
      due.forEach((d, i) => {
        const r = results[i]!;
        // History holds scalars; a whole array (a watched priorityArray) has no single value to chart.
        if (!Array.isArray(r.value)) this.history.record(d.ref, r.value, r.quality, r.timestamp);
      });
    } finally {
      this.busy = false;
    }
  }
}
