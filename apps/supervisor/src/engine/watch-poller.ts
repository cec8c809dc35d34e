import type { WatchListRepo } from "../storage/watch-list-repo";
import type { PointReader } from "./flow-engine";
import type { HistoryRecorder } from "./history-recorder";

/**
 * Polls the watch list for history. Points the flow already reads are skipped: the scan records them,
 * and polling them twice would double the load on the device for nothing.
 */
export class WatchPoller {
  private timer: NodeJS.Timeout | undefined;
  private refs: string[] = [];
  private busy = false;

  constructor(
    private readonly points: PointReader,
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
    // Every protocol's points: the registry answers one no plugin serves with bad quality and a code.
    this.refs = this.repo.list();
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    const due = this.refs.filter((ref) => !this.history.points.has(ref));
    if (due.length === 0) return;
    this.busy = true;
    try {
      const results = await this.points.read(due);
      due.forEach((ref, i) => {
        const r = results[i]!;
        // History holds scalars; a whole array (a watched priorityArray) has no single value to chart.
        if (!Array.isArray(r.value)) this.history.record(ref, r.value, r.quality, r.timestamp);
      });
    } finally {
      this.busy = false;
    }
  }
}
