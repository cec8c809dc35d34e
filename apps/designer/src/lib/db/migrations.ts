import type Database from "better-sqlite3";
import { secretsFor } from "./secret-store";

export interface Migration {
  id: number;
  name: string;
  sql: string;
  /** A step SQL cannot express (it needs a key), run after `sql` in the same transaction. */
  run?: (db: Database.Database) => void;
  /** Rebuild the file afterwards, so no page of the old content survives in free space or the WAL. */
  vacuum?: boolean;
}

/**
 * Ordered, append-only. Each runs once inside a transaction and is recorded in schema_migrations,
 * so an old projects.db is brought forward on start and a half-applied migration never sticks.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "projects and versions (seed §8.1)",
    sql: `
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT,
        flow_id TEXT NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
      );
      CREATE TABLE project_configs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        flow_data JSON NOT NULL,
        config_json JSON NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL DEFAULT 'designer',
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
        UNIQUE (project_id, version)
      );
      CREATE INDEX project_configs_by_project ON project_configs(project_id, version DESC);
    `,
  },
  {
    id: 2,
    name: "supervisor registry and deployments",
    sql: `
      CREATE TABLE supervisors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        token TEXT NOT NULL DEFAULT '',
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
      );
      CREATE TABLE deployments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id TEXT NOT NULL,
        project_version INTEGER NOT NULL,
        supervisor_id TEXT NOT NULL,
        supervisor_name TEXT NOT NULL,
        ok INTEGER NOT NULL,
        config_version INTEGER,
        checksum TEXT,
        latency_ms INTEGER NOT NULL,
        errors_json JSON NOT NULL DEFAULT '[]',
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
      );
      CREATE INDEX deployments_by_project ON deployments(project_id, id DESC);
    `,
  },
  {
    id: 3,
    name: "autosaved drafts",
    sql: `
      CREATE TABLE project_drafts (
        project_id TEXT PRIMARY KEY,
        base_version INTEGER NOT NULL,
        flow_data JSON NOT NULL,
        config_json JSON NOT NULL,
        saved_at TIMESTAMP NOT NULL,
        FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
      );
    `,
  },
  {
    id: 4,
    name: "supervisor tokens sealed at rest, pinned certificates",
    sql: `
      ALTER TABLE supervisors ADD COLUMN token_sealed TEXT NOT NULL DEFAULT '';
      ALTER TABLE supervisors ADD COLUMN tls_fingerprint TEXT;
    `,
    // Tokens stored in clear by earlier versions are sealed in place (AES-256-GCM, key in projects.key
    // beside the file, bound to the row id), then the clear column is dropped and the file rebuilt.
    run(db) {
      const rows = db.prepare("SELECT id, token FROM supervisors WHERE token <> ''").all() as {
        id: string;
        token: string;
      }[];
      const seal = db.prepare("UPDATE supervisors SET token_sealed = ?, token = '' WHERE id = ?");
      for (const row of rows) seal.run(secretsFor(db).seal(row.token, row.id), row.id);
      db.exec("ALTER TABLE supervisors DROP COLUMN token");
    },
    vacuum: true,
  },
  {
    id: 5,
    name: "users, sessions and the audit trail (issue 10)",
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
      );
      -- Only a SHA-256 of the session id is kept: a copied database cannot be replayed as a cookie.
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        source TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_user ON sessions(user_id);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        actor_role TEXT,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        result TEXT NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
        reason TEXT,
        details_json TEXT
      );
      CREATE INDEX audit_by_time ON audit_log(at);
      -- Append-only, enforced by the database itself: no edits, and nothing younger than 90 days goes.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER audit_log_keep_90_days BEFORE DELETE ON audit_log
        WHEN old.at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-90 days')
        BEGIN SELECT RAISE(ABORT, 'audit records are kept at least 90 days'); END;
    `,
  },
  {
    id: 6,
    name: "project templates (saved groups)",
    sql: `
      CREATE TABLE project_templates (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        content_json JSON NOT NULL,
        created_at TIMESTAMP NOT NULL,
        FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
        UNIQUE (project_id, name)
      );
    `,
  },
  {
    id: 7,
    name: "a project holds many flows and a subflow library (issue 12)",
    // Each version and draft becomes one project document ({flows, library}); a single-flow row becomes
    // a project of one flow that keeps its flow id, so a supervisor running it sees the same flow.
    sql: `
      ALTER TABLE project_configs ADD COLUMN document_json JSON NOT NULL DEFAULT '{}';
      UPDATE project_configs SET document_json = json_object(
        'flows', json_array(json_object('configuration', json(config_json), 'flow_data', json(flow_data))),
        'library', json_array());
      ALTER TABLE project_configs DROP COLUMN config_json;
      ALTER TABLE project_configs DROP COLUMN flow_data;
      ALTER TABLE project_drafts ADD COLUMN document_json JSON NOT NULL DEFAULT '{}';
      UPDATE project_drafts SET document_json = json_object(
        'flows', json_array(json_object('configuration', json(config_json), 'flow_data', json(flow_data))),
        'library', json_array());
      ALTER TABLE project_drafts DROP COLUMN config_json;
      ALTER TABLE project_drafts DROP COLUMN flow_data;
    `,
  },
  {
    id: 8,
    name: "fleet: supervisor tags (groups) and staged rollouts (issue 17)",
    // The built-in supervisor has no registry row, so tags are not a foreign key; a trigger drops a
    // deleted supervisor's tags instead.
    sql: `
      CREATE TABLE supervisor_tags (
        supervisor_id TEXT NOT NULL,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (supervisor_id, tag)
      );
      CREATE INDEX supervisor_tags_by_tag ON supervisor_tags(tag);
      CREATE TRIGGER supervisor_tags_follow_delete AFTER DELETE ON supervisors
        BEGIN DELETE FROM supervisor_tags WHERE supervisor_id = old.id; END;
      CREATE TABLE rollouts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('site')),
        tag TEXT NOT NULL,
        project_id TEXT NOT NULL,
        project_version INTEGER NOT NULL,
        status TEXT NOT NULL,
        options_json JSON NOT NULL,
        report_json JSON NOT NULL,
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX rollouts_by_time ON rollouts(started_at DESC);
    `,
  },
  {
    id: 9,
    name: "fleet: release (OTA) rollouts beside site rollouts (issue 17)",
    // SQLite cannot change a CHECK: the table is rebuilt, every row kept.
    sql: `
      CREATE TABLE rollouts_new (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('site', 'release')),
        tag TEXT NOT NULL,
        project_id TEXT,
        project_version INTEGER,
        release_version TEXT,
        status TEXT NOT NULL,
        options_json JSON NOT NULL,
        report_json JSON NOT NULL,
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        CHECK ((kind = 'site') = (project_id IS NOT NULL AND project_version IS NOT NULL)),
        CHECK ((kind = 'release') = (release_version IS NOT NULL))
      );
      INSERT INTO rollouts_new (id, kind, tag, project_id, project_version, status, options_json, report_json,
        started_by, started_at, finished_at)
        SELECT id, kind, tag, project_id, project_version, status, options_json, report_json, started_by,
          started_at, finished_at FROM rollouts ORDER BY rowid;
      DROP TABLE rollouts;
      ALTER TABLE rollouts_new RENAME TO rollouts;
      CREATE INDEX rollouts_by_time ON rollouts(started_at DESC);
    `,
  },
  {
    id: 10,
    name: "supervisors: pinned commissioning report signing key fingerprint (issue 16)",
    sql: "ALTER TABLE supervisors ADD COLUMN report_key_fingerprint TEXT;",
  },
];

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)`);
  const applied = new Set(
    db
      .prepare("SELECT id FROM schema_migrations")
      .all()
      .map((row) => (row as { id: number }).id),
  );
  let vacuum = false;
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.run?.(db);
      db.prepare("INSERT INTO schema_migrations (id, name) VALUES (?, ?)").run(migration.id, migration.name);
    })();
    vacuum ||= migration.vacuum === true;
  }
  if (vacuum && !db.memory) {
    db.exec("VACUUM");
    db.pragma("wal_checkpoint(TRUNCATE)");
  }
}
