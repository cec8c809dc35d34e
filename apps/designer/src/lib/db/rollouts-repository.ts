import type Database from "better-sqlite3";
import type { Rollout, RolloutReport, RolloutStatus } from "../fleet/rollout-model";
import { nowIso } from "./sqlite-time";

/** A rollout as stored: options and report as JSON text. */
type RolloutRow = Omit<Rollout, "options" | "report"> & { options_json: string; report_json: string };

const fromRow = (row: RolloutRow): Rollout => ({
  id: row.id,
  kind: row.kind,
  tag: row.tag,
  project_id: row.project_id,
  project_version: row.project_version,
  release_version: row.release_version,
  status: row.status,
  options: JSON.parse(row.options_json) as Rollout["options"],
  report: JSON.parse(row.report_json) as RolloutReport,
  started_by: row.started_by,
  started_at: row.started_at,
  finished_at: row.finished_at,
});

export function insertRollout(db: Database.Database, rollout: Rollout): void {
  db.prepare(
    `INSERT INTO rollouts (id, kind, tag, project_id, project_version, release_version, status, options_json,
       report_json, started_by, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    rollout.id,
    rollout.kind,
    rollout.tag,
    rollout.project_id,
    rollout.project_version,
    rollout.release_version,
    rollout.status,
    JSON.stringify(rollout.options),
    JSON.stringify(rollout.report),
    rollout.started_by,
    rollout.started_at,
    rollout.finished_at,
  );
}

/** Written after every step, so the report a browser reads (or one left by a crash) is current. */
export function saveRolloutProgress(
  db: Database.Database,
  id: string,
  status: RolloutStatus,
  report: RolloutReport,
): void {
  const finished = status === "running" ? null : nowIso();
  db.prepare("UPDATE rollouts SET status = ?, report_json = ?, finished_at = ? WHERE id = ?").run(
    status,
    JSON.stringify(report),
    finished,
    id,
  );
}

export function getRollout(db: Database.Database, id: string): Rollout | null {
  const row = db.prepare("SELECT * FROM rollouts WHERE id = ?").get(id) as RolloutRow | undefined;
  return row ? fromRow(row) : null;
}

export function listRollouts(db: Database.Database, limit = 50): Rollout[] {
  return (
    db
      .prepare("SELECT * FROM rollouts ORDER BY started_at DESC, rowid DESC LIMIT ?")
      .all(limit) as RolloutRow[]
  ).map(fromRow);
}

/**
 * A rollout still marked running that no runner of this process drives was cut short by a restart of
 * the Designer: say so, rather than show it running for ever.
 */
export function markInterrupted(db: Database.Database, activeIds: ReadonlySet<string>): void {
  const rows = db.prepare("SELECT id, report_json FROM rollouts WHERE status = 'running'").all() as {
    id: string;
    report_json: string;
  }[];
  for (const row of rows) {
    if (activeIds.has(row.id)) continue;
    const report = JSON.parse(row.report_json) as RolloutReport;
    report.events.push({
      at: nowIso(),
      supervisor_id: null,
      message: "the Designer restarted during the rollout: check the members and start it again",
    });
    report.summary = `interrupted: ${report.summary}`;
    saveRolloutProgress(db, row.id, "interrupted", report);
  }
}
