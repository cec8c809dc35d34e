import type { Db } from "./database";

/** Who commanded a point: a node of a flow (null for rows written before holders were recorded). */
export interface CommandHolder {
  flowId: string | null;
  nodeId: string | null;
}

export interface StoredCommand extends CommandHolder {
  ref: string;
  priority: number;
  value: number | boolean | string | null;
  writtenAt: number;
}

/**
 * The `commanded_points` table: every point this supervisor's flows command, at which priority, with
 * what value and by which node. The write manager keeps it so a stop relinquishes exactly these, across
 * restarts; the priority-array view reads it to tell this supervisor's slots from other writers'.
 */
export class CommandsRepo {
  private readonly upsert;
  private readonly remove;
  private readonly all;
  private readonly byRef;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO commanded_points (ref, priority, value_json, written_at, flow_id, node_id)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(ref, priority) DO UPDATE SET value_json = excluded.value_json,
         written_at = excluded.written_at, flow_id = excluded.flow_id, node_id = excluded.node_id`,
    );
    this.remove = db.prepare("DELETE FROM commanded_points WHERE ref = ? AND priority = ?");
    this.all = db.prepare("SELECT ref, priority, flow_id, node_id FROM commanded_points");
    this.byRef = db.prepare(
      `SELECT ref, priority, value_json, written_at, flow_id, node_id FROM commanded_points
       WHERE ref = ? ORDER BY priority`,
    );
  }

  saveCommand(
    ref: string,
    priority: number,
    value: unknown,
    at: number,
    holder: CommandHolder = { flowId: null, nodeId: null },
  ): void {
    this.upsert.run(ref, priority, JSON.stringify(value), at, holder.flowId, holder.nodeId);
  }

  deleteCommand(ref: string, priority: number): void {
    this.remove.run(ref, priority);
  }

  commands(): { ref: string; priority: number; flowId: string | null; nodeId: string | null }[] {
    const rows = this.all.all() as {
      ref: string;
      priority: number;
      flow_id: string | null;
      node_id: string | null;
    }[];
    return rows.map((r) => ({ ref: r.ref, priority: r.priority, flowId: r.flow_id, nodeId: r.node_id }));
  }

  /** The commands on one point (canonical ref), lowest priority number first. */
  forPoint(ref: string): StoredCommand[] {
    const rows = this.byRef.all(ref) as {
      ref: string;
      priority: number;
      value_json: string;
      written_at: number;
      flow_id: string | null;
      node_id: string | null;
    }[];
    return rows.map((r) => ({
      ref: r.ref,
      priority: r.priority,
      value: JSON.parse(r.value_json) as StoredCommand["value"],
      writtenAt: r.written_at,
      flowId: r.flow_id,
      nodeId: r.node_id,
    }));
  }
}
