import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportFixture } from "../../test/report-fixture";
import { verifyReport } from "./report-signature";
import { ReportStore } from "./report-store";
import type { CommissioningReport } from "./report-types";
import { loadOrCreateReportKey } from "./signing-key";

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "bms-report-store-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const report = (id: string, status: CommissioningReport["status"]) => reportFixture({ id, status });

const store = (dir: string) => new ReportStore(dir, loadOrCreateReportKey(dir));

describe("the report store's verdict on each stored signature", () => {
  it("says valid, other key, bad signature (an edit, or a forged block copying the fingerprint) and unsigned", () => {
    const dir = dataDir();
    const key = loadOrCreateReportKey(dir);
    const other = loadOrCreateReportKey(dataDir());
    const s = new ReportStore(dir, key);
    const ids = {
      valid: "cr-20261202-083000-000001",
      other: "cr-20261202-083000-000002",
      edited: "cr-20261202-083000-000003",
      forged: "cr-20261202-083000-000004",
      unsigned: "cr-20261202-083000-000005",
    };
    s.seal(report(ids.valid, "done"), key);
    s.seal(report(ids.other, "done"), other);
    s.seal(report(ids.edited, "done"), key);
    // An edit after signing: one passed line made to read as another site.
    const edited = JSON.parse(readFileSync(s.path(ids.edited, "json"), "utf8")) as CommissioningReport;
    edited.site = "Another Site";
    s.write(ids.edited, "json", JSON.stringify(edited, null, 2));
    // A forgery: signed with the forger's key, then given this supervisor's fingerprint and public key.
    const forged = report(ids.forged, "done");
    forged.summary = { pass: 99, fail: 0, skipped: 0 };
    s.seal(forged, other);
    const forgedFile = JSON.parse(readFileSync(s.path(ids.forged, "json"), "utf8")) as CommissioningReport;
    forgedFile.signature!.fingerprint = key.fingerprint;
    s.write(ids.forged, "json", JSON.stringify(forgedFile, null, 2));
    const copiedFingerprintOnly = s.list().find((r) => r.id === ids.forged)!;
    expect(copiedFingerprintOnly.signed_by).toBe(key.fingerprint);
    expect(copiedFingerprintOnly.signature_check).toBe("bad_signature");
    forgedFile.signature!.public_key = key.publicKeyRaw.toString("base64");
    s.write(ids.forged, "json", JSON.stringify(forgedFile, null, 2));
    s.write(ids.unsigned, "json", JSON.stringify(report(ids.unsigned, "done"), null, 2));

    const byId = Object.fromEntries(s.list().map((r) => [r.id, r]));
    expect(byId[ids.valid]).toMatchObject({ signed_by: key.fingerprint, signature_check: "valid" });
    expect(byId[ids.other]).toMatchObject({ signed_by: other.fingerprint, signature_check: "other_key" });
    expect(byId[ids.edited]).toMatchObject({ signed_by: key.fingerprint, signature_check: "bad_signature" });
    expect(byId[ids.forged]).toMatchObject({ signed_by: key.fingerprint, signature_check: "bad_signature" });
    expect(byId[ids.unsigned]).toMatchObject({ signed_by: null, signature_check: "unsigned" });
  });

  it("verifies again when the file changes, even within the cached mtime's second", () => {
    const dir = dataDir();
    const key = loadOrCreateReportKey(dir);
    const s = new ReportStore(dir, key);
    const id = "cr-20261202-090000-0000aa";
    s.seal(report(id, "done"), key);
    expect(s.list()[0]!.signature_check).toBe("valid");
    const file = s.path(id, "json");
    const before = readFileSync(file, "utf8");
    // Same mtime, another size: the cached verdict must not be reused.
    writeFileSync(file, before.replace('"Main Street Offices"', '"Main Street Offices (edited)"'));
    const fixed = new Date("2026-12-02T09:00:00Z");
    utimesSync(file, fixed, fixed);
    expect(s.list()[0]!.signature_check).toBe("bad_signature");
    writeFileSync(file, before);
    utimesSync(file, fixed, fixed);
    expect(s.list()[0]!.signature_check).toBe("valid");
  });
});

describe("a report a crash left running", () => {
  it("is sealed at start: failed, ended at its last save, signed, with its HTML, and verifies", () => {
    const dir = dataDir();
    const first = store(dir);
    const id = "cr-20261202-091500-00beef";
    first.write(id, "json", JSON.stringify(report(id, "running"), null, 2));
    const lastSave = new Date("2026-12-02T09:16:30Z");
    utimesSync(first.path(id, "json"), lastSave, lastSave);
    const done = "cr-20261202-091000-00cafe";
    const key = loadOrCreateReportKey(dir);
    first.seal(report(done, "done"), key);
    const doneBytes = readFileSync(first.path(done, "json"));

    // The next start: a new store on the same data dir seals what was left running, and nothing else.
    const next = store(dir);
    const { sealed, failed } = next.sealInterrupted(key);
    expect(failed).toEqual([]);
    expect(sealed.map((r) => r.id)).toEqual([id]);
    const stored = JSON.parse(readFileSync(next.path(id, "json"), "utf8")) as CommissioningReport;
    expect(stored.status).toBe("failed");
    expect(stored.error).toBe("the supervisor stopped during the run");
    expect(stored.finished_at).toBe(lastSave.toISOString());
    expect(stored.summary).toEqual({ pass: 1, fail: 0, skipped: 0 });
    expect(verifyReport(stored, { publicKey: key.publicKey })).toMatchObject({ valid: true, code: "valid" });
    expect(readFileSync(next.path(id, "html"), "utf8")).toContain("the supervisor stopped during the run");
    expect(readFileSync(next.path(done, "json"))).toEqual(doneBytes);
    expect(next.list().find((r) => r.id === id)).toMatchObject({
      status: "failed",
      signature_check: "valid",
    });
    // A second start finds nothing left to seal.
    expect(store(dir).sealInterrupted(key).sealed).toEqual([]);
  });

  it("names a damaged file it could not seal and goes on with the others", () => {
    const dir = dataDir();
    const key = loadOrCreateReportKey(dir);
    const s = new ReportStore(dir, key);
    const damaged = "cr-20261202-092000-000bad";
    const running = "cr-20261202-092100-000001";
    writeFileSync(s.path(damaged, "json"), '{"id": "cr-20261202-092000-000bad", "status": "runn');
    s.write(running, "json", JSON.stringify(report(running, "running"), null, 2));
    const { sealed, failed } = s.sealInterrupted(key);
    expect(sealed.map((r) => r.id)).toEqual([running]);
    expect(failed.map((f) => f.id)).toEqual([damaged]);
  });
});
