import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { renderReportHtml } from "./report-html";
import { signReport, type VerifyCode, verifyReport } from "./report-signature";
import type { CommissioningReport, Verdict } from "./report-types";
import type { ReportSigningKey } from "./signing-key";
import { describeLeftover, type LeftoverCommand } from "./test-commands";

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
  /**
   * The fingerprint the report's signature block names; null for a report made before signatures (or still
   * running). It is what the file says, so it means something only beside `signature_check`.
   */
  signed_by: string | null;
  /** What this supervisor found when it verified the stored file (see SignatureCheck). */
  signature_check: SignatureCheck;
}

/**
 * The supervisor's verdict on a stored report's signature, checked with its own key: `valid` (the signature
 * holds over the content and the key is this supervisor's), `other_key` (it holds, but another key signed:
 * a key this supervisor had before a rotation, or a report copied in from elsewhere), `bad_signature` (it
 * does not hold, or the block is malformed or names a fingerprint that is not its key's: an edited or forged
 * file) and `unsigned` (made before signatures, or still running).
 */
export type SignatureCheck = "valid" | "other_key" | "bad_signature" | "unsigned";

export function signatureCheck(code: VerifyCode): SignatureCheck {
  if (code === "valid") return "valid";
  if (code === "wrong_key") return "other_key";
  if (code === "unsigned") return "unsigned";
  return "bad_signature";
}

export class ReportStore {
  readonly dir: string;
  /**
   * Verdicts by report id, with the file's mtime and size when checked: an Ed25519 verification of a large
   * report is not free, and the list is polled every few seconds by each open dashboard.
   */
  private readonly checks = new Map<string, { mtimeMs: number; size: number; check: SignatureCheck }>();

  constructor(
    dataDir: string,
    private readonly key: Pick<ReportSigningKey, "publicKey">,
  ) {
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

  /**
   * Ends a report for good: counts its verdicts, signs it (last, over everything it holds, so the JSON,
   * HTML and PDF all carry the signature) and stores its JSON and HTML.
   */
  seal(report: CommissioningReport, key: ReportSigningKey): void {
    const verdicts: Verdict[] = [
      ...(report.checkout ?? []).map((l) => l.verdict),
      ...(report.alarms ?? []).map((l) => l.verdict),
      ...(report.baseline?.flows ?? []).map((l) => l.verdict),
      ...(report.baseline?.devices ?? []).map((l) => l.verdict),
      ...(report.devices ?? []).map((l) => l.verdict),
    ];
    report.summary = {
      pass: verdicts.filter((v) => v === "pass").length,
      fail: verdicts.filter((v) => v === "fail").length,
      skipped: verdicts.filter((v) => v === "skipped").length,
    };
    Object.assign(report, signReport(report, key));
    this.write(report.id, "json", JSON.stringify(report, null, 2));
    this.write(report.id, "html", renderReportHtml(report));
  }

  /**
   * Reports a previous process left running (it was killed, or the machine lost power, mid-run): marked
   * failed, ended at their file's last write (the last progress saved), signed and stored, so they can be
   * downloaded and verified like any other. Called once at start, before a new run can begin. A file that
   * cannot be read or written is left as it is and named in the answer, never a reason not to start.
   */
  sealInterrupted(
    key: ReportSigningKey,
    /** The write-test commands relinquished (or not) at this start, by run: each named in its report. */
    leftovers: readonly LeftoverCommand[] = [],
  ): {
    sealed: CommissioningReport[];
    failed: { id: string; error: string }[];
  } {
    const sealed: CommissioningReport[] = [];
    const failed: { id: string; error: string }[] = [];
    for (const id of this.ids()) {
      try {
        const report = this.get(id);
        if (report?.status !== "running") continue;
        report.status = "failed";
        const mine = leftovers.filter((l) => l.run === id);
        report.error = ["the supervisor stopped during the run", ...mine.map(describeLeftover)].join("; ");
        if (mine.length > 0) report.leftover_commands = mine;
        report.finished_at = statSync(this.path(id, "json")).mtime.toISOString();
        this.seal(report, key);
        sealed.push(report);
      } catch (error) {
        failed.push({ id, error: (error as Error).message });
      }
    }
    return { sealed, failed };
  }

  /** Stored report ids, newest first. */
  private ids(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .filter((id) => REPORT_ID.test(id))
      .sort()
      .reverse();
  }

  /** Newest first. */
  list(): ReportSummary[] {
    return this.ids().flatMap((id) => {
      // Stat before reading, so a verdict is never cached under a newer file's mtime.
      const stat = this.has(id, "json") ? statSync(this.path(id, "json")) : undefined;
      const r = this.get(id);
      if (!stat || !r) return [];
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
          signature_check: this.check(id, r, stat),
        },
      ];
    });
  }

  /** The report's signature verified with this supervisor's key, cached while the file is unchanged. */
  private check(
    id: string,
    report: CommissioningReport,
    stat: { mtimeMs: number; size: number },
  ): SignatureCheck {
    const { mtimeMs, size } = stat;
    const cached = this.checks.get(id);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.check;
    const check = signatureCheck(verifyReport(report, { publicKey: this.key.publicKey }).code);
    this.checks.set(id, { mtimeMs, size, check });
    return check;
  }
}
