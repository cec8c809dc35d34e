import pg from "pg";
import { MIGRATIONS } from "./migrations";

export type Pool = pg.Pool;

/** A pool to the historian. The URL may hold a password: it is never logged or echoed. */
export function openPool(url: string, max = 8): Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: "bms-fleet" });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return pool;
}

export async function migrate(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
    // One fleet service at a time migrates (a second one waits here instead of racing).
    await client.query("SELECT pg_advisory_lock(4242017)");
    const row = await client.query<{ version: number }>("SELECT version FROM schema_version");
    let version = row.rows[0]?.version ?? 0;
    for (; version < MIGRATIONS.length; version++) {
      await client.query("BEGIN");
      try {
        await client.query(MIGRATIONS[version]!);
        await client.query("DELETE FROM schema_version");
        await client.query("INSERT INTO schema_version (version) VALUES ($1)", [version + 1]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
    await client.query("SELECT pg_advisory_unlock(4242017)");
    return version;
  } finally {
    client.release();
  }
}
