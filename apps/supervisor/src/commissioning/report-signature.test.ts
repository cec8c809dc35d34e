import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportFixture } from "../../test/report-fixture";
import { VERIFY_EXIT, verifyReportFile } from "../report-verify-cli";
import { renderReportHtml } from "./report-html";
import { canonicalJson, SIGNED_FORMAT, signedBytes, signReport, verifyReport } from "./report-signature";
import type { CommissioningReport } from "./report-types";
import {
  loadOrCreateReportKey,
  parsePublicKey,
  REPORT_KEY_FILE,
  type ReportSigningKey,
  SigningKeyError,
} from "./signing-key";

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "bms-report-key-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A finished report with every section, as the runner stores it. */
function finishedReport(): CommissioningReport {
  return reportFixture({
    notes: "AHU-1 and VAV-1..3 after the valve swap",
    finished_at: "2026-12-02T08:31:12.345Z",
    checkout: [
      {
        point: "bacnet:3001/analogOutput:2.presentValue",
        device: "bacnet:3001",
        commanded: true,
        value: 35,
        units: "percent",
        quality: "good",
        response_ms: 4.1,
        write_test: {
          priority: 12,
          test_value: 42.5,
          after_write: 42.5,
          after_release: null,
          release: "relinquish",
          value_after: 35,
        },
        verdict: "pass",
        detail: "written at 12, read back, relinquished",
      },
      {
        point: "bacnet:3001/binaryInput:1.presentValue",
        device: "bacnet:3001",
        commanded: false,
        value: true,
        quality: "good",
        response_ms: 3,
        verdict: "pass",
        detail: "read",
      },
    ],
    devices: [
      {
        device: "bacnet:3001",
        name: "VAV-1",
        address: "127.0.0.19:47808 → net 2001, MAC 01",
        samples: 5,
        response: { count: 5, min_ms: 2.1, avg_ms: 3.3, max_ms: 5.8 },
        timeouts: 0,
        errors: 0,
        retries: 0,
        segmentation: "noSegmentation",
        max_apdu: 480,
        verdict: "pass",
        detail: "answered every probe",
      },
    ],
    summary: { pass: 3, fail: 0, skipped: 0 },
  });
}

function signed(key: ReportSigningKey): CommissioningReport {
  const report = finishedReport();
  return Object.assign(report, signReport(report, key));
}

/** The report as the supervisor stores and exports it: pretty-printed JSON. */
const fileText = (report: CommissioningReport) => JSON.stringify(report, null, 2);

describe("the report signing key", () => {
  it("is made once per data dir with mode 0600 and keeps its fingerprint across starts", () => {
    const dir = dataDir();
    const first = loadOrCreateReportKey(dir);
    expect(first.created).toBe(true);
    expect(statSync(join(dir, REPORT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(first.fingerprint).toBe(
      createHash("sha256").update(first.publicKeyRaw).digest("hex").toUpperCase().match(/../g)!.join(":"),
    );
    const again = loadOrCreateReportKey(dir);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(loadOrCreateReportKey(dataDir()).fingerprint).not.toBe(first.fingerprint);
  });

  it("refuses a damaged key file with its path and without quoting it", () => {
    const dir = dataDir();
    writeFileSync(join(dir, REPORT_KEY_FILE), "not a key: s3cr3t-material");
    const error = (() => {
      try {
        loadOrCreateReportKey(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SigningKeyError);
    expect((error as SigningKeyError).code).toBe("key_invalid");
    expect((error as Error).message).toContain(REPORT_KEY_FILE);
    expect((error as Error).message).not.toContain("s3cr3t");
  });

  it("reads a public key as PEM, base64 or hex, and refuses other sizes", () => {
    const key = loadOrCreateReportKey(dataDir());
    const pem = key.publicKey.export({ format: "pem", type: "spki" }).toString();
    for (const text of [pem, key.publicKeyRaw.toString("base64"), key.publicKeyRaw.toString("hex")])
      expect(parsePublicKey(text).equals(key.publicKey)).toBe(true);
    expect(() => parsePublicKey(Buffer.alloc(31).toString("base64"))).toThrow(/32 bytes/);
  });
});

describe("signed commissioning reports", () => {
  const key = loadOrCreateReportKey(dataDir());

  it("canonical JSON sorts keys at every level and drops no value", () => {
    expect(canonicalJson({ b: [1, { d: true, c: null }], a: "é\n", u: undefined })).toBe(
      '{"a":"é\\n","b":[1,{"c":null,"d":true}]}',
    );
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/finite/);
    const bytes = signedBytes({ z: 1, a: 2, digest: "x", signature: { value: "y" } }).toString();
    expect(bytes).toBe(`${SIGNED_FORMAT}\n{"a":2,"z":1}`);
  });

  it("verifies a signed report, by its own key and against a trusted key or fingerprint", () => {
    const report = JSON.parse(fileText(signed(key))) as CommissioningReport;
    expect(report.signature?.fingerprint).toBe(key.fingerprint);
    expect(report.digest).toBe(
      createHash("sha256")
        .update(signedBytes({ ...report }))
        .digest("hex"),
    );
    expect(verifyReport(report)).toMatchObject({ valid: true, code: "valid", trusted: false });
    expect(verifyReport(report, { publicKey: key.publicKey })).toMatchObject({ valid: true, trusted: true });
    expect(verifyReport(report, { fingerprint: key.fingerprint })).toMatchObject({
      valid: true,
      trusted: true,
    });
  });

  it("stays valid when the file is re-saved with other key order and layout", () => {
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const resaved = JSON.stringify(reverse(signed(key)), null, "\t").replace(/\n/g, "\r\n");
    expect(resaved.indexOf('"signature"')).toBeLessThan(resaved.indexOf('"id"'));
    expect(verifyReport(JSON.parse(resaved), { fingerprint: key.fingerprint }).code).toBe("valid");
  });

  it("fails on one changed byte anywhere in the file: a changed value, key, signature or digest", () => {
    const text = fileText(signed(key));
    const original = canonicalJson(JSON.parse(text));
    let contentChanges = 0;
    for (let i = 0; i < text.length; i++) {
      const changed = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(changed);
      } catch {
        continue; // not JSON any more: nothing to verify, and no tool would read it as the report
      }
      if (canonicalJson(parsed) === original) {
        // Layout only (indentation): the same content, so the same verdict.
        expect(verifyReport(parsed).code).toBe("valid");
        continue;
      }
      contentChanges++;
      const result = verifyReport(parsed);
      expect(result.valid, `byte ${i} (${JSON.stringify(text.slice(Math.max(0, i - 20), i + 5))})`).toBe(
        false,
      );
      expect([
        "bad_signature",
        "digest_mismatch",
        "malformed_signature",
        "unsupported_format",
        "not_a_report",
        "unsigned",
      ]).toContain(result.code);
    }
    expect(contentChanges).toBeGreaterThan(1000);
  });

  it("refuses another spelling of the same key or signature bytes (unused base64 bits)", () => {
    const report = signed(key);
    for (const field of ["public_key", "value"] as const) {
      const text = report.signature![field];
      const pad = text.indexOf("=");
      const last = text[pad - 1]!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      // The next character that decodes to the same bytes: the unused low bits differ.
      const same = alphabet[alphabet.indexOf(last) ^ 1]!;
      const respelled = `${text.slice(0, pad - 1)}${same}${text.slice(pad)}`;
      expect(Buffer.from(respelled, "base64").equals(Buffer.from(text, "base64"))).toBe(true);
      const result = verifyReport({ ...report, signature: { ...report.signature!, [field]: respelled } });
      expect(result.code).toBe("malformed_signature");
    }
  });

  it("names the reason: content changed, digest changed, another key", () => {
    const report = signed(key);
    const lowered = structuredClone(report);
    lowered.checkout![0]!.write_test!.after_write = 40;
    expect(verifyReport(lowered)).toMatchObject({ valid: false, code: "bad_signature" });
    expect(verifyReport({ ...report, extra: "added" }).code).toBe("bad_signature");
    const { notes: _notes, ...removed } = report;
    expect(verifyReport(removed).code).toBe("bad_signature");
    expect(verifyReport({ ...report, digest: "00".repeat(32) }).code).toBe("digest_mismatch");
    expect(verifyReport({ ...report, signature: { ...report.signature!, algorithm: "RSA" } }).code).toBe(
      "unsupported_format",
    );
    expect(verifyReport({ ...report, signature: { ...report.signature!, value: "AAAA" } }).code).toBe(
      "malformed_signature",
    );
    expect(verifyReport([]).code).toBe("not_a_report");
    expect(verifyReport({ hello: "world" }).code).toBe("not_a_report");
  });

  it("after a key rotation, the new key's fingerprint does not verify the old key's report", () => {
    const rotated = loadOrCreateReportKey(dataDir());
    const report = signed(key);
    const byRotated = verifyReport(report, { fingerprint: rotated.fingerprint });
    expect(byRotated).toMatchObject({ valid: false, code: "wrong_key", fingerprint: key.fingerprint });
    expect(byRotated.message).toContain(rotated.fingerprint);
    expect(verifyReport(report, { publicKey: rotated.publicKey }).code).toBe("wrong_key");
    // A forger who edits the report and signs it with their own key is caught by the trusted fingerprint.
    const forged = finishedReport();
    forged.summary = { pass: 3, fail: 0, skipped: 0 };
    Object.assign(forged, signReport(forged, rotated));
    expect(verifyReport(forged).valid).toBe(true);
    expect(verifyReport(forged, { fingerprint: key.fingerprint }).code).toBe("wrong_key");
  });

  it("reads reports made before signatures as unsigned, and prints them so", () => {
    const old = finishedReport();
    delete old.signature;
    const { digest: _d, ...content } = old;
    old.digest = createHash("sha256").update(JSON.stringify(content)).digest("hex");
    const result = verifyReport(JSON.parse(JSON.stringify(old)));
    expect(result).toMatchObject({ valid: false, code: "unsigned", fingerprint: null });
    expect(result.message).toContain("unsigned (made before signatures)");
    const html = renderReportHtml(old);
    expect(html).toContain("unsigned (made before signatures)");
    expect(html).toContain(old.digest);
  });

  it("prints the signature and the fingerprint on the report", () => {
    const report = signed(key);
    const html = renderReportHtml(report);
    expect(html).toContain(key.fingerprint);
    expect(html).toContain(report.signature!.value);
    expect(html).toContain(`verify-report ${report.id}.json --fingerprint ${key.fingerprint}`);
    expect(html).not.toContain("made before signatures");
  });

  it("the CLI's exit codes: valid by key, untrusted, invalid, usage", () => {
    const dir = dataDir();
    const file = join(dir, "report.json");
    const pemFile = join(dir, "supervisor.pub.pem");
    writeFileSync(pemFile, key.publicKey.export({ format: "pem", type: "spki" }));
    const report = signed(key);
    writeFileSync(file, fileText(report));
    expect(verifyReportFile(file, { fingerprint: key.fingerprint.replace(/:/g, "").toLowerCase() })).toBe(
      VERIFY_EXIT.valid,
    );
    expect(verifyReportFile(file, { key: pemFile })).toBe(VERIFY_EXIT.valid);
    expect(verifyReportFile(file, { key: key.publicKeyRaw.toString("base64") })).toBe(VERIFY_EXIT.valid);
    expect(verifyReportFile(file, {})).toBe(VERIFY_EXIT.untrusted);
    expect(verifyReportFile(file, { fingerprint: "AB:CD" })).toBe(VERIFY_EXIT.usage);
    expect(verifyReportFile(join(dir, "missing.json"), {})).toBe(VERIFY_EXIT.usage);
    writeFileSync(file, fileText(report).replace('"Ines Moreau"', '"Ines Moreaux"'));
    expect(verifyReportFile(file, { fingerprint: key.fingerprint })).toBe(VERIFY_EXIT.invalid);
    expect(readFileSync(file, "utf8")).toContain("Moreaux");
  });
});
