import type { Quality } from "@bms/schemas";
import type { Pool } from "./database";

export interface HistoryRow {
  group: string;
  node: string;
  device: string;
  ref: string;
  ts: number;
  value: number | boolean | string | null;
  quality: Quality;
  historical: boolean;
}

const DAY_MS = 86_400_000;

export function partitionName(day: number): string {
  return `history_${new Date(day).toISOString().slice(0, 10).replace(/-/g, "")}`;
}

/**
 * Batches history into one multi-row INSERT per flush (unnest of column arrays: one round trip and
 * one plan for thousands of rows), creating each day's partition the first time a row for it
 * arrives. Duplicates (a replay after a partial send) are dropped by the primary key, so a replay is
 * safe. The flush is serialized: rows arriving during a flush wait for the next one.
 */
export class HistoryWriter {
  private queue: HistoryRow[] = [];
  private readonly partitions = new Set<number>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  written = 0;
  failedFlushes = 0;
  /** Rows PostgreSQL refused as data (see flush), counted rather than retried forever. */
  dropped = 0;

  constructor(
    private readonly pool: Pool,
    private readonly options: { maxBatch: number; intervalMs: number; onError(error: Error): void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
  }

  get queued(): number {
    return this.queue.length;
  }

  add(rows: readonly HistoryRow[]): void {
    for (const row of rows) this.queue.push(row);
    if (this.queue.length >= this.options.maxBatch) void this.flush();
  }

  /** Writes everything queued so far (waits for a flush in progress first). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.flushing = this.writeOrDrop(batch)
      .then((refused) => {
        if (!refused) return;
        this.failedFlushes++;
        this.options.onError(refused);
      })
      .catch((error: Error) => {
        this.failedFlushes++;
        this.options.onError(error);
        // Any other failure puts the rows back at the front: PostgreSQL down for a while must not lose them
        // (rows of the batch already written are dropped as duplicates by the primary key).
        this.queue.unshift(...batch);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
    if (this.queue.length >= this.options.maxBatch) await this.flush();
  }

  /**
   * Writes the rows; a data exception (SQLSTATE class 22: a value PostgreSQL refuses) fails the same way on
   * every retry, so requeued it would block every later row and grow the queue without bound. The batch is
   * halved until the refused rows stand alone, and only those are dropped (counted): one hostile value in
   * a batch of other supervisors' rows loses no good row. Answers the first refusal, if any.
   */
  private async writeOrDrop(rows: readonly HistoryRow[]): Promise<Error | undefined> {
    try {
      await this.write(rows);
      return undefined;
    } catch (error) {
      if (!(error as { code?: string }).code?.startsWith("22")) throw error;
      if (rows.length === 1) {
        this.dropped++;
        return error as Error;
      }
      const half = rows.length >> 1;
      const first = await this.writeOrDrop(rows.slice(0, half));
      const second = await this.writeOrDrop(rows.slice(half));
      return first ?? second;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (let i = 0; i < 100 && this.queue.length > 0; i++) await this.flush();
  }

  private async ensurePartitions(rows: readonly HistoryRow[]): Promise<void> {
    const days = new Set<number>();
    for (const row of rows) days.add(Math.floor(row.ts / DAY_MS) * DAY_MS);
    for (const day of days) {
      if (this.partitions.has(day)) continue;
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      try {
        await this.pool.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF history FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      } catch (error) {
        // Two writers creating the same day at once: the loser's error means it exists now.
        if ((error as { code?: string }).code !== "42P07") throw error;
      }
      this.partitions.add(day);
    }
  }

  private async write(rows: readonly HistoryRow[]): Promise<void> {
    await this.ensurePartitions(rows);
    const cols = {
      group: [] as string[],
      node: [] as string[],
      device: [] as string[],
      ref: [] as string[],
      ts: [] as string[],
      value: [] as (number | null)[],
      text: [] as (string | null)[],
      quality: [] as string[],
      historical: [] as boolean[],
    };
    for (const r of rows) {
      cols.group.push(r.group);
      cols.node.push(r.node);
      cols.device.push(r.device);
      cols.ref.push(r.ref);
      cols.ts.push(new Date(r.ts).toISOString());
      cols.value.push(
        typeof r.value === "number" ? r.value : typeof r.value === "boolean" ? (r.value ? 1 : 0) : null,
      );
      cols.text.push(typeof r.value === "string" ? r.value : null);
      cols.quality.push(r.quality);
      cols.historical.push(r.historical);
    }
    await this.pool.query(
      `INSERT INTO history (group_id, node_id, device_id, ref, ts, value, value_text, quality, historical)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::float8[], $7::text[], $8::text[], $9::bool[])
       ON CONFLICT DO NOTHING`,
      [
        cols.group,
        cols.node,
        cols.device,
        cols.ref,
        cols.ts,
        cols.value,
        cols.text,
        cols.quality,
        cols.historical,
      ],
    );
    this.written += rows.length;
  }
}
