/**
 * Schema of runtime.db, append-only: a released migration is never edited, a change is a new entry.
 * `PRAGMA user_version` records how many have run.
 */
/** Rebuilds the per-minute rollups from raw samples (migration 2; the tables are gone since migration 7). */
export const ROLLUP_REBUILD_SQL = `
  INSERT OR REPLACE INTO samples_1m (point_id, minute, sum, count, min, max, last, last_ts, quality)
  SELECT point_id, minute, SUM(value), COUNT(value), MIN(value), MAX(value),
    MAX(CASE WHEN rn = 1 THEN value END), MAX(ts), MAX(quality)
  FROM (
    SELECT point_id, ts, value, quality, (ts / 60000) * 60000 AS minute,
      ROW_NUMBER() OVER (PARTITION BY point_id, ts / 60000 ORDER BY ts DESC) AS rn
    FROM samples WHERE text IS NULL
  )
  GROUP BY point_id, minute;
`;

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE configs (
    version       INTEGER PRIMARY KEY AUTOINCREMENT,
    flow_id       TEXT NOT NULL,
    flow_name     TEXT NOT NULL,
    flow_version  TEXT NOT NULL,
    project_id    TEXT NOT NULL,
    project_name  TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    package_json  TEXT NOT NULL,
    deployed_by   TEXT,
    deployed_at   TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT 'deploy'
  );
  CREATE TABLE active_config (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER REFERENCES configs(version),
    running  INTEGER NOT NULL DEFAULT 1,
    activated_at TEXT NOT NULL
  );
  CREATE TABLE node_state (
    flow_id     TEXT NOT NULL,
    node_id     TEXT NOT NULL,
    state_json  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (flow_id, node_id)
  );
  CREATE TABLE devices (
    device_id     INTEGER PRIMARY KEY,
    address       TEXT NOT NULL,
    name          TEXT,
    vendor_name   TEXT,
    model_name    TEXT,
    vendor_id     INTEGER,
    max_apdu      INTEGER,
    segmentation  INTEGER,
    status        TEXT NOT NULL DEFAULT 'unknown',
    reason        TEXT,
    last_seen     INTEGER
  );
  CREATE TABLE bacnet_objects (
    device_id        INTEGER NOT NULL,
    object_type      TEXT NOT NULL,
    object_instance  INTEGER NOT NULL,
    object_name      TEXT NOT NULL,
    description      TEXT,
    units            TEXT,
    commandable      INTEGER NOT NULL DEFAULT 0,
    discovered_at    TEXT NOT NULL,
    PRIMARY KEY (device_id, object_type, object_instance)
  );
  CREATE TABLE points (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    ref    TEXT NOT NULL UNIQUE
  );
  CREATE TABLE samples (
    point_id  INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    value     REAL,
    text      TEXT,
    quality   INTEGER NOT NULL,
    PRIMARY KEY (point_id, ts)
  ) WITHOUT ROWID;
  CREATE INDEX samples_ts ON samples(ts);
  CREATE TABLE watch_list (
    ref  TEXT PRIMARY KEY
  );
  CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ts         INTEGER NOT NULL,
    level      TEXT NOT NULL,
    source     TEXT NOT NULL,
    message    TEXT NOT NULL,
    data_json  TEXT
  );
  CREATE INDEX events_ts ON events(ts);
  CREATE TABLE alerts (
    key          TEXT PRIMARY KEY,
    node_id      TEXT NOT NULL,
    state        TEXT NOT NULL,
    priority     TEXT NOT NULL,
    message      TEXT NOT NULL,
    latched      INTEGER NOT NULL,
    raised_at    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    acked_at     INTEGER,
    acked_by     TEXT,
    count        INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE commanded_points (
    ref        TEXT NOT NULL,
    priority   INTEGER NOT NULL,
    value_json TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (ref, priority)
  );
  `,
  `
  -- One row per point and minute: what a day-long chart reads (1,440 rows a point a day), whatever the
  -- sample rate. Kept in step with samples on every flush; rebuilt here from what samples already hold.
  CREATE TABLE samples_1m (
    point_id  INTEGER NOT NULL,
    minute    INTEGER NOT NULL,
    sum       REAL,
    count     INTEGER NOT NULL,
    min       REAL,
    max       REAL,
    last      REAL,
    last_ts   INTEGER NOT NULL,
    quality   INTEGER NOT NULL,
    PRIMARY KEY (point_id, minute)
  ) WITHOUT ROWID;
  CREATE INDEX samples_1m_minute ON samples_1m(minute);
  ${ROLLUP_REBUILD_SQL}
  `,
  `
  -- How a value reads for people, cached with the object list: State_Text (JSON array) of multi-state
  -- objects, Active_Text/Inactive_Text of binary ones.
  ALTER TABLE bacnet_objects ADD COLUMN state_text_json TEXT;
  ALTER TABLE bacnet_objects ADD COLUMN active_text TEXT;
  ALTER TABLE bacnet_objects ADD COLUMN inactive_text TEXT;
  -- Which flow and node commanded a point at a priority, for the priority-array view. Rows from before
  -- this migration stay NULL until the flow writes again.
  ALTER TABLE commanded_points ADD COLUMN flow_id TEXT;
  ALTER TABLE commanded_points ADD COLUMN node_id TEXT;
  `,
  `
  -- Issue 10: named API tokens and dashboard sessions (both stored as SHA-256 digests, never the
  -- secret), and the audit trail.
  CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    hash          TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    expires_at    INTEGER,
    last_used_at  INTEGER,
    revoked_at    INTEGER
  );
  CREATE TABLE sessions (
    hash          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    token_id      INTEGER REFERENCES api_tokens(id),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
  );
  CREATE TABLE audit (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    actor_role    TEXT,
    on_behalf_of  TEXT,
    source        TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT,
    result        TEXT NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
    reason        TEXT,
    details_json  TEXT
  );
  CREATE INDEX audit_at ON audit(at);
  -- Append-only, enforced by SQLite itself: no code path can edit a record, and only records older
  -- than 90 days can be deleted (retention), whatever the caller asks.
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
  CREATE TRIGGER audit_keep_90_days BEFORE DELETE ON audit
  WHEN old.at > (CAST(strftime('%s', 'now') AS INTEGER) - 90 * 86400) * 1000
  BEGIN SELECT RAISE(ABORT, 'audit records are kept at least 90 days'); END;
  `,
  `
  -- A site runs many flows: events and alarms say which flow they came from (NULL: site-wide, or from
  -- before sites). Filtered on by the API's flow_id parameters.
  ALTER TABLE events ADD COLUMN flow_id TEXT;
  CREATE INDEX events_flow ON events(flow_id, id);
  ALTER TABLE alerts ADD COLUMN flow_id TEXT;
  `,
  `
  -- Issue 11: timed manual overrides an operator makes from the dashboard. A row stays open (ended_at
  -- NULL) until its priority has been relinquished on the device, so a restart finishes the job.
  CREATE TABLE manual_overrides (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    point         TEXT NOT NULL,
    priority      INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 16),
    value_json    TEXT NOT NULL,
    before_json   TEXT,
    started_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    ended_at      INTEGER,
    ended_by      TEXT,
    end_reason    TEXT
  );
  CREATE INDEX manual_overrides_open ON manual_overrides(ended_at);
  `,
  `
  -- Issue 15: compressed history. One row per point and 15-minute window holds the window's samples
  -- (history-codec.ts) and its per-minute summaries; history_hours is the per-hour rollup; the journal
  -- holds the samples of windows not sealed yet, one row per flush, so a kill -9 loses at most the last
  -- second. The old samples and samples_1m tables are converted in place by TimeseriesRepo, then dropped.
  CREATE TABLE history_chunks (
    id        INTEGER PRIMARY KEY,
    point_id  INTEGER NOT NULL,
    start_ts  INTEGER NOT NULL,
    end_ts    INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    minutes   BLOB NOT NULL,
    samples   BLOB NOT NULL
  );
  CREATE INDEX history_chunks_point ON history_chunks(point_id, start_ts);
  CREATE TABLE history_hours (
    point_id  INTEGER NOT NULL,
    hour      INTEGER NOT NULL,
    sum       REAL,
    count     INTEGER NOT NULL,
    min       REAL,
    max       REAL,
    last      REAL,
    last_ts   INTEGER NOT NULL,
    quality   INTEGER NOT NULL,
    PRIMARY KEY (point_id, hour)
  ) WITHOUT ROWID;
  CREATE TABLE history_journal (
    id        INTEGER PRIMARY KEY,
    max_ts    INTEGER NOT NULL,
    points    BLOB NOT NULL,
    samples   BLOB NOT NULL
  );
  CREATE TABLE history_meta (
    key       TEXT PRIMARY KEY,
    value     INTEGER NOT NULL
  );
  `,
  `
  -- Issue 12, per flow: an operator's stop outlives a restart (a row: the flow stays stopped until
  -- started again), and parameters an operator set are kept per flow across restarts and redeploys.
  -- Parameters were held in memory only, keyed by name across the site, so there is nothing to migrate.
  CREATE TABLE flow_run_state (
    flow_id     TEXT PRIMARY KEY,
    stopped_at  INTEGER NOT NULL,
    stopped_by  TEXT NOT NULL
  );
  CREATE TABLE flow_parameters (
    flow_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    value_json  TEXT NOT NULL,
    set_at      INTEGER NOT NULL,
    PRIMARY KEY (flow_id, name)
  );
  `,
  `
  -- Issue 14, trend logs: where each device Trend Log was read up to (its next sequence number), so a
  -- backfill resumes after an outage of either side, and the time ranges of history that came from a
  -- device's log rather than the supervisor's own reads, which charts mark.
  CREATE TABLE trend_log_cursors (
    device_id     INTEGER NOT NULL,
    log_instance  INTEGER NOT NULL,
    point_ref     TEXT NOT NULL,
    next_sequence INTEGER NOT NULL,
    last_ts       INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (device_id, log_instance)
  );
  CREATE TABLE history_backfills (
    id            INTEGER PRIMARY KEY,
    point_ref     TEXT NOT NULL,
    from_ts       INTEGER NOT NULL,
    to_ts         INTEGER NOT NULL,
    samples       INTEGER NOT NULL,
    source        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );
  CREATE INDEX history_backfills_point ON history_backfills(point_ref, to_ts);
  `,
  `
  -- An acknowledgement's comment is kept on the alarm row, beside who and when (before, it was only in
  -- the audit record and the event log); a device alarm's row also keeps which of its device's
  -- transitions the acknowledgement named (<event state>@<time stamp ms>), so a restart tells a new
  -- transition the device waits to have acknowledged from the one already acknowledged. Rows from
  -- before read NULL: acknowledged without a comment, transition not known. A re-raise clears both.
  ALTER TABLE alerts ADD COLUMN ack_comment TEXT;
  ALTER TABLE alerts ADD COLUMN acked_transition TEXT;
  `,
];
