import type { Db } from "./database";

/** Flows an operator stopped: they stay stopped across a restart of the supervisor until started again. */
export class FlowRunStateRepo {
  constructor(private readonly db: Db) {}

  stopped(): Set<string> {
    const rows = this.db.prepare("SELECT flow_id FROM flow_run_state").all() as { flow_id: string }[];
    return new Set(rows.map((r) => r.flow_id));
  }

  markStopped(flowId: string, by: string, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO flow_run_state (flow_id, stopped_at, stopped_by) VALUES (?, ?, ?)
         ON CONFLICT(flow_id) DO UPDATE SET stopped_at = excluded.stopped_at, stopped_by = excluded.stopped_by`,
      )
      .run(flowId, now, by);
  }

  /** Forgets the stop of these flows (all when none is named): they run again. */
  clear(flowIds?: readonly string[]): void {
    if (!flowIds) {
      this.db.prepare("DELETE FROM flow_run_state").run();
      return;
    }
    const del = this.db.prepare("DELETE FROM flow_run_state WHERE flow_id = ?");
    this.db.transaction(() => {
      for (const id of flowIds) del.run(id);
    })();
  }
}
