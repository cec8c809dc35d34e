import type { Scalar } from "@bms/nodes";
import type { Db } from "./database";

/** Parameter values an operator set, per flow: a setpoint survives a restart and a redeploy. */
export class ParametersRepo {
  constructor(private readonly db: Db) {}

  all(): { flowId: string; name: string; value: Scalar }[] {
    const rows = this.db.prepare("SELECT flow_id, name, value_json FROM flow_parameters").all() as {
      flow_id: string;
      name: string;
      value_json: string;
    }[];
    return rows.map((r) => ({ flowId: r.flow_id, name: r.name, value: JSON.parse(r.value_json) as Scalar }));
  }

  set(flowId: string, name: string, value: Scalar, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO flow_parameters (flow_id, name, value_json, set_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(flow_id, name) DO UPDATE SET value_json = excluded.value_json, set_at = excluded.set_at`,
      )
      .run(flowId, name, JSON.stringify(value), now);
  }
}
