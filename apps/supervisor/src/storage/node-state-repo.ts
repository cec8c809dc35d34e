import type { SavedNodeState } from "@bms/nodes";
import type { Db } from "./database";

interface PendingState {
  flowId: string;
  nodeId: string;
  json: string;
  at: number;
}

/**
 * Node state (PID integrals, timers, latches) per flow, so a restart or an unchanged redeploy resumes.
 *
 * Saves are written at the end of the event-loop turn they were made in, every flow's in one transaction:
 * the flows of a site finish their scans of a tick together, and a transaction per flow per scan was a
 * fixed cost that twenty 100-node flows paid twenty times where one 2,000-node flow paid it once
 * (bench/multi-flow.bench.ts). Nothing waits longer than that turn; `load` and `flush` write what is
 * pending first, so a reader never sees older state than was saved.
 */
export class NodeStateRepo {
  private readonly upsert;
  private pending = new Map<string, PendingState>();
  private flushScheduled = false;
  /** Transactions written: how well saves are merged (tests). */
  transactions = 0;

  constructor(
    private readonly db: Db,
    /** When a turn's saves go out: after every scan that finished in this turn has saved. */
    private readonly defer: (flush: () => void) => void = setImmediate,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO node_state (flow_id, node_id, state_json, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(flow_id, node_id) DO UPDATE SET state_json = excluded.state_json, updated_at = excluded.updated_at`,
    );
  }

  /** Saves these entries (only those whose serialised form changed: the caller compares). */
  save(flowId: string, entries: { nodeId: string; json: string }[], now = Date.now()): void {
    if (entries.length === 0) return;
    for (const entry of entries)
      this.pending.set(`${flowId}\n${entry.nodeId}`, {
        flowId,
        nodeId: entry.nodeId,
        json: entry.json,
        at: now,
      });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.defer(() => this.flush());
  }

  /** Writes what is pending, in one transaction (also before the database closes). */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.size === 0 || !this.db.open) return;
    const batch = this.pending;
    this.pending = new Map();
    this.transactions++;
    this.db.transaction(() => {
      for (const s of batch.values()) this.upsert.run(s.flowId, s.nodeId, s.json, s.at);
    })();
  }

  load(flowId: string): SavedNodeState[] {
    this.flush();
    const rows = this.db.prepare("SELECT state_json FROM node_state WHERE flow_id = ?").all(flowId) as {
      state_json: string;
    }[];
    return rows.map((r) => JSON.parse(r.state_json) as SavedNodeState);
  }
}
