import { type PostgresHandle, startPostgres } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openPool, type Pool } from "../../src/storage/database";
import { type HistoryRow, HistoryWriter } from "../../src/storage/history-writer";

/**
 * The history writer against a real PostgreSQL when a row of a batch is one PostgreSQL refuses as data
 * (SQLSTATE class 22): only that row is dropped. 127.0.115.0/24 belongs to this file.
 */
const HOST = "127.0.115.1";
const PG_PORT = 25115;

const row = (node: string, i: number, value: HistoryRow["value"]): HistoryRow => ({
  group: "site",
  node,
  device: "bacnet-1",
  ref: `bacnet:1/analogInput:${i}`,
  ts: Date.now() - 60_000 + i,
  value,
  quality: "good",
  historical: false,
});

describe("history writer: rows PostgreSQL refuses", () => {
  let pg: PostgresHandle;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startPostgres({ host: HOST, port: PG_PORT });
    pool = openPool(pg.url, 2);
    await migrate(pool);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });

  it("drops only the refused row of a batch, never the other supervisors' good rows beside it (regression)", async () => {
    // Before, one text value holding U+0000 (22021) dropped its whole batch: up to maxBatch rows of every
    // supervisor that happened to flush with it.
    const errors: Error[] = [];
    const writer = new HistoryWriter(pool, {
      maxBatch: 100,
      intervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    const good = Array.from({ length: 9 }, (_, i) => row(`edge-${i % 3}`, i, 20 + i));
    writer.add([...good.slice(0, 4), row("evil", 50, "a\u0000b"), ...good.slice(4)]);
    await writer.flush();

    const stored = await pool.query<{ node_id: string; ref: string; value: number }>(
      "SELECT node_id, ref, value FROM history ORDER BY ref",
    );
    expect(stored.rows.map((r) => r.value).sort((a, b) => a - b)).toEqual(good.map((r) => r.value));
    expect(stored.rows.some((r) => r.node_id === "evil")).toBe(false);
    expect(writer.dropped).toBe(1);
    expect(writer.written).toBe(9);
    expect(writer.queued).toBe(0);
    expect(errors).toHaveLength(1);
    expect((errors[0] as { code?: string }).code).toMatch(/^22/);

    // The writer goes on: the next batch is written whole.
    writer.add([row("edge-0", 80, 1.5)]);
    await writer.flush();
    expect(
      (await pool.query("SELECT 1 FROM history WHERE ref = $1", ["bacnet:1/analogInput:80"])).rowCount,
    ).toBe(1);
  });
});
