import type { SavedNodeState } from "@bms/nodes";
import type { Db } from "./database";

/** Node state (PID integrals, timers, latches) per flow, so a restart or an unchanged redeploy resumes. */
export class NodeStateRepo {
  private readonly upsert;
  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO node_state (flow_id, node_id, state_json, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(flow_id, node_id) DO UPDATE SET state_json = excluded.state_json, updated_at = excluded.updated_at`,
    );
  }

  /** Saves only the entries whose serialised form changed, in one transaction. */
  save(flowId: string, entries: { nodeId: string; json: string }[], now = Date.now()): void {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      for (const entry of entries) this.upsert.run(flowId, entry.nodeId, entry.json, now);
    })();
  }

  load(flowId: string): SavedNodeState[] {
    const rows = this.db.prepare("SELECT state_json FROM node_state WHERE flow_id = ?").all(flowId) as {
      state_json: string;
    }[];
    return rows.map((r) => JSON.parse(r.state_json) as SavedNodeState);
  }
}
