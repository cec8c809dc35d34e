import type { Pool } from "./database";

export interface BirthMetric {
  name: string;
  alias: number | undefined;
  type: string;
  units: string | undefined;
}

export interface AlarmRow {
  group: string;
  node: string;
  key: string;
  kind: string;
  state: string;
  priority: string;
  message: string;
  flowId: string | null;
  alertNode: string;
  at: number;
  historical: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Supervisors, devices, points, births and alarms: what the consumer records and the API reads. */
export class FleetRepo {
  constructor(private readonly pool: Pool) {}

  async nodeBirth(
    group: string,
    node: string,
    at: number,
    bdSeq: number | undefined,
    info: { site: string; version: string; health: Record<string, unknown> },
    metrics: BirthMetric[],
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO supervisors (group_id, node_id, site, version, status, bd_seq, health, last_birth, last_seen)
       VALUES ($1, $2, $3, $4, 'online', $5, $6, $7, $7)
       ON CONFLICT (group_id, node_id) DO UPDATE SET site = excluded.site, version = excluded.version,
         status = 'online', bd_seq = excluded.bd_seq, health = excluded.health, last_birth = excluded.last_birth,
         last_seen = excluded.last_seen`,
      [group, node, info.site, info.version, bdSeq ?? null, JSON.stringify(info.health), iso(at)],
    );
    await this.birthRecord(group, node, null, "NBIRTH", bdSeq, at, metrics);
  }

  /** NDEATH: the node and all its devices go offline. */
  async nodeDeath(group: string, node: string, at: number, bdSeq: number | undefined): Promise<void> {
    await this.pool.query(
      `UPDATE supervisors SET status = 'offline', last_death = $3 WHERE group_id = $1 AND node_id = $2`,
      [group, node, iso(at)],
    );
    await this.pool.query(
      `UPDATE devices SET status = 'offline', last_death = $3 WHERE group_id = $1 AND node_id = $2 AND status = 'online'`,
      [group, node, iso(at)],
    );
    await this.birthRecord(group, node, null, "NDEATH", bdSeq, at, []);
  }

  async deviceBirth(
    group: string,
    node: string,
    device: string,
    at: number,
    metrics: BirthMetric[],
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO devices (group_id, node_id, device_id, status, metrics, last_birth, last_seen)
       VALUES ($1, $2, $3, 'online', $4, $5, $5)
       ON CONFLICT (group_id, node_id, device_id) DO UPDATE SET status = 'online', metrics = excluded.metrics,
         last_birth = excluded.last_birth, last_seen = excluded.last_seen`,
      [group, node, device, metrics.length, iso(at)],
    );
    if (metrics.length > 0) {
      await this.pool.query(
        `INSERT INTO points (group_id, node_id, device_id, ref, type, units)
         SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::text[])
         ON CONFLICT (group_id, node_id, ref) DO UPDATE SET device_id = excluded.device_id, type = excluded.type, units = excluded.units`,
        [
          group,
          node,
          device,
          metrics.map((m) => m.name),
          metrics.map((m) => m.type),
          metrics.map((m) => m.units ?? null),
        ],
      );
    }
    await this.birthRecord(group, node, device, "DBIRTH", undefined, at, metrics);
  }

  async deviceDeath(group: string, node: string, device: string, at: number): Promise<void> {
    await this.pool.query(
      `UPDATE devices SET status = 'offline', last_death = $4 WHERE group_id = $1 AND node_id = $2 AND device_id = $3`,
      [group, node, device, iso(at)],
    );
    await this.birthRecord(group, node, device, "DDEATH", undefined, at, []);
  }

  async nodeSeen(
    group: string,
    node: string,
    at: number,
    health: Record<string, unknown> | undefined,
    seqGap: boolean,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE supervisors SET last_seen = GREATEST(last_seen, $3::timestamptz),
         health = CASE WHEN $4::jsonb IS NULL THEN health ELSE health || $4::jsonb END,
         seq_gaps = seq_gaps + $5
       WHERE group_id = $1 AND node_id = $2`,
      [group, node, iso(at), health ? JSON.stringify(health) : null, seqGap ? 1 : 0],
    );
  }

  async alarms(rows: readonly AlarmRow[]): Promise<void> {
    for (const a of rows) {
      await this.pool.query(
        `INSERT INTO alarms (group_id, node_id, key, kind, state, priority, message, flow_id, alert_node, at, historical)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
        [
          a.group,
          a.node,
          a.key,
          a.kind,
          a.state,
          a.priority,
          a.message,
          a.flowId,
          a.alertNode,
          iso(a.at),
          a.historical,
        ],
      );
    }
  }

  private async birthRecord(
    group: string,
    node: string,
    device: string | null,
    kind: string,
    bdSeq: number | undefined,
    at: number,
    metrics: BirthMetric[],
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO births (group_id, node_id, device_id, kind, bd_seq, at, metrics) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [group, node, device, kind, bdSeq ?? null, iso(at), JSON.stringify(metrics)],
    );
  }

  // --- reads for the API ------------------------------------------------------------------------

  async listSupervisors(filter: { site?: string | undefined; status?: string | undefined }) {
    const result = await this.pool.query(
      `SELECT s.group_id, s.node_id, s.site, s.version, s.status, s.bd_seq, s.health, s.last_birth, s.last_death,
              s.last_seen, s.seq_gaps,
              (SELECT count(*) FROM devices d WHERE d.group_id = s.group_id AND d.node_id = s.node_id)::int AS devices,
              (SELECT count(*) FROM devices d WHERE d.group_id = s.group_id AND d.node_id = s.node_id AND d.status = 'online')::int AS devices_online
       FROM supervisors s
       WHERE ($1::text IS NULL OR s.site = $1) AND ($2::text IS NULL OR s.status = $2)
       ORDER BY s.site, s.group_id, s.node_id`,
      [filter.site ?? null, filter.status ?? null],
    );
    return result.rows;
  }

  async listDevices(group: string, node: string) {
    const result = await this.pool.query(
      `SELECT device_id, status, metrics, last_birth, last_death, last_seen FROM devices
       WHERE group_id = $1 AND node_id = $2 ORDER BY device_id`,
      [group, node],
    );
    return result.rows;
  }

  async history(q: {
    ref?: string | undefined;
    node?: string | undefined;
    site?: string | undefined;
    from: number;
    to: number;
    limit: number;
  }) {
    const result = await this.pool.query(
      `SELECT h.group_id, h.node_id, s.site, h.device_id, h.ref, h.ts, h.value, h.value_text, h.quality, h.historical, p.units
       FROM history h
       JOIN supervisors s ON s.group_id = h.group_id AND s.node_id = h.node_id
       LEFT JOIN points p ON p.group_id = h.group_id AND p.node_id = h.node_id AND p.ref = h.ref
       WHERE h.ts >= $1 AND h.ts <= $2
         AND ($3::text IS NULL OR h.ref = $3)
         AND ($4::text IS NULL OR h.node_id = $4)
         AND ($5::text IS NULL OR s.site = $5)
       ORDER BY h.ts, h.node_id, h.ref
       LIMIT $6`,
      [iso(q.from), iso(q.to), q.ref ?? null, q.node ?? null, q.site ?? null, q.limit],
    );
    return result.rows;
  }

  /** The latest transition per alarm across sites; `open` keeps those not cleared. */
  async listAlarms(q: {
    open: boolean;
    site?: string | undefined;
    node?: string | undefined;
    limit: number;
  }) {
    const result = await this.pool.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (a.group_id, a.node_id, a.key) a.group_id, a.node_id, s.site, a.key, a.kind, a.state,
                a.priority, a.message, a.flow_id, a.alert_node, a.at, a.historical
         FROM alarms a JOIN supervisors s ON s.group_id = a.group_id AND s.node_id = a.node_id
         WHERE ($1::text IS NULL OR s.site = $1) AND ($2::text IS NULL OR a.node_id = $2)
         ORDER BY a.group_id, a.node_id, a.key, a.at DESC, a.id DESC
       ) latest
       WHERE NOT $3::boolean OR latest.state <> 'cleared'
       ORDER BY latest.at DESC
       LIMIT $4`,
      [q.site ?? null, q.node ?? null, q.open, q.limit],
    );
    return result.rows;
  }
}
