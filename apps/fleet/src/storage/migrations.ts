/**
 * The historian's schema, applied in order inside one transaction each; `schema_version` says how far
 * a database is. History is declaratively partitioned by day (partitions are created by the history
 * writer as days arrive), so retention is `DROP TABLE history_YYYYMMDD`, never a slow DELETE, and on
 * TimescaleDB the same table can become a hypertable instead (docs/scale.md).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE supervisors (
    group_id text NOT NULL,
    node_id text NOT NULL,
    site text NOT NULL DEFAULT '',
    version text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'offline',
    bd_seq integer,
    health jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_birth timestamptz,
    last_death timestamptz,
    last_seen timestamptz,
    seq_gaps bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, node_id)
  );
  CREATE TABLE devices (
    group_id text NOT NULL,
    node_id text NOT NULL,
    device_id text NOT NULL,
    status text NOT NULL DEFAULT 'offline',
    metrics integer NOT NULL DEFAULT 0,
    last_birth timestamptz,
    last_death timestamptz,
    last_seen timestamptz,
    PRIMARY KEY (group_id, node_id, device_id)
  );
  CREATE TABLE points (
    group_id text NOT NULL,
    node_id text NOT NULL,
    device_id text NOT NULL,
    ref text NOT NULL,
    type text NOT NULL,
    units text,
    PRIMARY KEY (group_id, node_id, ref)
  );
  CREATE TABLE births (
    id bigserial PRIMARY KEY,
    group_id text NOT NULL,
    node_id text NOT NULL,
    device_id text,
    kind text NOT NULL,
    bd_seq integer,
    at timestamptz NOT NULL,
    metrics jsonb NOT NULL DEFAULT '[]'::jsonb
  );
  CREATE INDEX births_node ON births (group_id, node_id, at DESC);
  CREATE TABLE history (
    group_id text NOT NULL,
    node_id text NOT NULL,
    device_id text NOT NULL,
    ref text NOT NULL,
    ts timestamptz NOT NULL,
    value double precision,
    value_text text,
    quality text NOT NULL,
    historical boolean NOT NULL DEFAULT false,
    PRIMARY KEY (group_id, node_id, ref, ts)
  ) PARTITION BY RANGE (ts);
  CREATE TABLE alarms (
    id bigserial PRIMARY KEY,
    group_id text NOT NULL,
    node_id text NOT NULL,
    key text NOT NULL,
    kind text NOT NULL,
    state text NOT NULL,
    priority text NOT NULL,
    message text NOT NULL,
    flow_id text,
    alert_node text NOT NULL,
    at timestamptz NOT NULL,
    historical boolean NOT NULL DEFAULT false,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (group_id, node_id, key, kind, at)
  );
  CREATE INDEX alarms_latest ON alarms (group_id, node_id, key, at DESC);
  CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL,
    hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  );
  CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor jsonb NOT NULL,
    source text NOT NULL,
    action text NOT NULL,
    target text,
    result text NOT NULL,
    reason text,
    details jsonb
  );
  `,
];
