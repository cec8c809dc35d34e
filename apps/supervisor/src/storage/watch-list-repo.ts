import type { Db } from "./database";

/** Points kept in history although no flow uses them (an operator's watch list). */
export class WatchListRepo {
  constructor(private readonly db: Db) {}

  list(): string[] {
    return (this.db.prepare("SELECT ref FROM watch_list ORDER BY ref").all() as { ref: string }[]).map(
      (r) => r.ref,
    );
  }

  replace(refs: readonly string[]): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM watch_list").run();
      const insert = this.db.prepare("INSERT OR IGNORE INTO watch_list (ref) VALUES (?)");
      for (const ref of refs) insert.run(ref);
    })();
  }
}
