import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommissioningReport } from "./report-types";

/**
 * Commissioning reports on the supervisor: `<data-dir>/commissioning/<id>.json` (what the API answers),
 * `<id>.html` (what is printed) and `<id>.pdf` (printed once, on first download). Files rather than
 * runtime.db rows: a report is a document handed over, copied off with the data dir and never queried.
 * Written through a temporary file and a rename, so a power cut leaves the previous version whole.
 */

/** Ids are generated here; anything else asked for is refused before it reaches the file system. */
export const REPORT_ID = /^cr-\d{8}-\d{6}-[0-9a-f]{6}$/;

export interface ReportSummary {
  id: string;
  status: CommissioningReport["status"];
  site: string;
  project_version: string | null;
  person: string;
  started_at: string;
  finished_at: string | null;
  summary: CommissioningReport["summary"];
  pdf: boolean;
  /** The signing key's fingerprint; null for a report made before signatures (or still running). */
  signed_by: string | null;
}

export class ReportStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "commissioning");
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  newId(at: Date): string {
    const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return `cr-${stamp}-${randomBytes(3).toString("hex")}`;
  }

  path(id: string, ext: "json" | "html" | "pdf"): string {
    if (!REPORT_ID.test(id)) throw new Error(`not a report id: ${id}`);
    return join(this.dir, `${id}.${ext}`);
  }

  write(id: string, ext: "json" | "html" | "pdf", content: string | Buffer): void {
    const target = this.path(id, ext);
    const temporary = `${target}.tmp`;
    writeFileSync(temporary, content, { mode: 0o600 });
    renameSync(temporary, target);
  }

  has(id: string, ext: "json" | "html" | "pdf"): boolean {
    return REPORT_ID.test(id) && existsSync(this.path(id, ext));
  }

  get(id: string): CommissioningReport | undefined {
    if (!this.has(id, "json")) return undefined;
    return JSON.parse(readFileSync(this.path(id, "json"), "utf8")) as CommissioningReport;
  }

  /** The JSON file's bytes as stored (what was signed, pretty-printed). */
  readJson(id: string): Buffer | undefined {
    return this.has(id, "json") ? readFileSync(this.path(id, "json")) : undefined;
  }

  read(id: string, ext: "html" | "pdf"): Buffer | undefined {
    return this.has(id, ext) ? readFileSync(this.path(id, ext)) : undefined;
  }

  /** Newest first. */
  list(): ReportSummary[] {
    const ids = readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .filter((id) => REPORT_ID.test(id))
      .sort()
      .reverse();
    return ids.flatMap((id) => {
      const r = this.get(id);
      if (!r) return [];
      return [
        {
          id,
          status: r.status,
          site: r.site,
          project_version: r.project_version,
          person: r.person,
          started_at: r.started_at,
          finished_at: r.finished_at,
          summary: r.summary,
          pdf: this.has(id, "pdf"),
          signed_by: r.signature?.fingerprint ?? null,
        },
      ];
    });
  }
}
