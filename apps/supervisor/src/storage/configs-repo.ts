import type { DeploymentPackage } from "@bms/schemas";
import type { Db } from "./database";

export interface StoredConfig {
  version: number;
  flow_id: string;
  flow_name: string;
  flow_version: string;
  project_id: string;
  project_name: string;
  /** The Designer's project version the package came from; null for packages that do not say. */
  project_version: number | null;
  checksum: string;
  deployed_by: string | null;
  deployed_at: string;
  source: string;
}

export interface ActiveConfig {
  version: number;
  running: boolean;
  activated_at: string;
}

/**
 * The project version is read from the stored package rather than a column of its own: the package is
 * kept as received, so configs deployed before the field existed answer null without a migration.
 */
const STORED_COLUMNS = `version, flow_id, flow_name, flow_version, project_id, project_name,
  json_extract(package_json, '$.project_version') AS project_version, checksum, deployed_by, deployed_at, source`;

/** Config versions and which one is active. A deploy is one transaction: stored and active, or neither. */
export class ConfigsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Stores a package as a new version and makes it the active one, atomically. `raw` is the package as
   * received: its checksum covers those bytes, so that is what is kept and re-verified on rollback.
   */
  insertAndActivate(
    pkg: DeploymentPackage,
    raw: unknown,
    source: "deploy" | "rollback",
    now = new Date(),
  ): StoredConfig {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO configs (flow_id, flow_name, flow_version, project_id, project_name, checksum, package_json,
             deployed_by, deployed_at, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          pkg.configuration.metadata.flow_id,
          pkg.configuration.metadata.flow_name,
          pkg.configuration.metadata.version,
          pkg.project_id,
          pkg.project_name,
          pkg.checksum,
          JSON.stringify(raw),
          pkg.deployed_by ?? null,
          now.toISOString(),
          source,
        );
      const version = Number(info.lastInsertRowid);
      this.setActive(version, true, now);
      return this.get(version)!;
    })();
  }

  setActive(version: number, running: boolean, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO active_config (id, version, running, activated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, running = excluded.running,
           activated_at = excluded.activated_at`,
      )
      .run(version, running ? 1 : 0, now.toISOString());
  }

  setRunning(running: boolean): void {
    this.db.prepare("UPDATE active_config SET running = ? WHERE id = 1").run(running ? 1 : 0);
  }

  active(): ActiveConfig | undefined {
    const row = this.db
      .prepare("SELECT version, running, activated_at FROM active_config WHERE id = 1")
      .get() as { version: number | null; running: number; activated_at: string } | undefined;
    if (!row || row.version === null) return undefined;
    return { version: row.version, running: row.running === 1, activated_at: row.activated_at };
  }

  get(version: number): StoredConfig | undefined {
    return this.db.prepare(`SELECT ${STORED_COLUMNS} FROM configs WHERE version = ?`).get(version) as
      | StoredConfig
      | undefined;
  }

  /** The package as it was received (validate it again before use). */
  package(version: number): unknown {
    const row = this.db.prepare("SELECT package_json FROM configs WHERE version = ?").get(version) as
      | { package_json: string }
      | undefined;
    return row ? (JSON.parse(row.package_json) as unknown) : undefined;
  }

  history(limit = 50): StoredConfig[] {
    return this.db
      .prepare(`SELECT ${STORED_COLUMNS} FROM configs ORDER BY version DESC LIMIT ?`)
      .all(limit) as StoredConfig[];
  }
}
