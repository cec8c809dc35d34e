import { spawnSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  api,
  eventually,
  REPO_ROOT,
  type SupervisorHandle,
  startSupervisor,
  tempDir,
  tsxArgs,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerifyResult } from "../../src/commissioning/report-signature";
import type { CommissioningReport } from "../../src/commissioning/report-types";
import { REPORT_KEY_FILE } from "../../src/commissioning/signing-key";

// Reserved for this file: 127.0.100.0/24 (the commish helper's range), BACnet port 47870. No device
// answers there: the run's checkout reads a point of a device that does not exist, and fails that line.
const SUP_BIND = "127.0.100.1";
const SUP_PORT = 47870;
const MISSING_POINT = "bacnet:4194300/analogValue:1.presentValue";
/** A report as the supervisor stored them before signatures: a digest and no signature field. */
const LEGACY_ID = "cr-20261201-120000-0a1b2c";

interface ListedReport {
  id: string;
  status: string;
  signed_by: string | null;
  signature_check: string;
}

interface SigningKeyAnswer {
  algorithm: string;
  fingerprint: string;
  public_key: string;
  public_key_pem: string;
}

/** `bms-supervisor verify-report`, run as a customer would run it: its own process, the file, a flag. */
function verifyCli(file: string, ...flags: string[]): { code: number | null; out: string } {
  const [cmd, argv] = tsxArgs("apps/supervisor/src/cli.ts", ["verify-report", file, ...flags]);
  const run = spawnSync(cmd, argv, { cwd: join(REPO_ROOT, "apps/supervisor"), encoding: "utf8" });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe("signed commissioning reports on a real supervisor", () => {
  const dataDir = tempDir("commish");
  const work = tempDir("commish-files");
  let sup: SupervisorHandle;
  let viewer: string;
  /** Every body the test received from the supervisor, searched for the private key at the end. */
  const received: string[] = [];
  const call = async <T>(method: string, path: string, body?: unknown, token = viewer) => {
    const answer = await api<T>(sup.url, path, { method, body, token });
    received.push(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
    return answer;
  };
  const raw = async (path: string) => {
    const response = await fetch(`${sup.url}${path}`, { headers: { authorization: `Bearer ${viewer}` } });
    const text = await response.text();
    received.push(text);
    return { status: response.status, headers: response.headers, text };
  };
  const start = () =>
    startSupervisor({
      dataDir,
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `${SUP_BIND}:${SUP_PORT}`,
      publicRead: false,
      // Trace logging: the most the supervisor ever writes, searched for the key below.
      extraArgs: ["--log-level", "trace"],
      env: { BMS_BACNET_TIMEOUT_MS: "300", BMS_BACNET_RETRIES: "0" },
    });
  let key: SigningKeyAnswer;
  let reportFile: string;
  let report: CommissioningReport;

  beforeAll(async () => {
    // A report from before signatures, as an older version stored it.
    mkdirSync(join(dataDir, "commissioning"), { recursive: true });
    writeFileSync(
      join(dataDir, "commissioning", `${LEGACY_ID}.json`),
      JSON.stringify({
        id: LEGACY_ID,
        status: "done",
        site: "Old site",
        project_version: null,
        config_version: null,
        person: "Ines",
        started_by: "admin",
        notes: "",
        started_at: "2026-12-01T12:00:00.000Z",
        finished_at: "2026-12-01T12:00:05.000Z",
        supervisor_version: "0.1.0",
        devices: [],
        summary: { pass: 0, fail: 0, skipped: 0 },
        digest: "ab".repeat(32),
      }),
    );
    sup = await start();
    const made = await api<{ secret: string }>(sup.url, "/api/auth/tokens", {
      method: "POST",
      body: { name: "customer viewer", role: "viewer" },
      token: sup.token,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    viewer = made.body.secret;
  }, 90_000);

  afterAll(async () => {
    await sup?.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("makes its signing key on first start (0600) and shows viewers its public half", async () => {
    expect(statSync(join(dataDir, REPORT_KEY_FILE)).mode & 0o777).toBe(0o600);
    const answer = await call<SigningKeyAnswer>("GET", "/api/commissioning/signing-key");
    expect(answer.status).toBe(200);
    key = answer.body;
    expect(key.algorithm).toBe("Ed25519");
    expect(key.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(key.public_key_pem).toContain("BEGIN PUBLIC KEY");
    // Start-up prints the fingerprint (like the TLS one), for the handover minutes.
    expect(sup.output()).toContain(`bms-supervisor report signing key SHA-256 ${key.fingerprint}`);
  });

  it("signs a report when the run ends, and exports it as the signed JSON file", async () => {
    const operator = sup.token;
    const started = await api<CommissioningReport>(sup.url, "/api/commissioning/runs", {
      method: "POST",
      body: { person: "Ines Moreau", site: "Signature test", checkout: { points: [MISSING_POINT] } },
      token: operator,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.signature).toBeNull();
    report = await eventually(
      async () => {
        const r = await call<CommissioningReport>("GET", `/api/commissioning/runs/${started.body.id}`);
        return r.body.status === "running" ? undefined : r.body;
      },
      30_000,
      200,
    );
    expect(report.status).toBe("done");
    expect(report.checkout?.[0]).toMatchObject({ point: MISSING_POINT, verdict: "fail" });
    expect(report.signature).toMatchObject({ algorithm: "Ed25519", fingerprint: key.fingerprint });
    expect(report.signature?.public_key).toBe(key.public_key);

    const file = await raw(`/api/commissioning/runs/${report.id}/report.json`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toContain(`${report.id}.json`);
    expect(JSON.parse(file.text)).toEqual(report);
    reportFile = join(work, `${report.id}.json`);
    writeFileSync(reportFile, file.text);

    const html = await raw(`/api/commissioning/runs/${report.id}/report.html`);
    expect(html.text).toContain(key.fingerprint);
    expect(html.text).toContain(report.signature!.value);
    const list = await call<{ reports: ListedReport[] }>("GET", "/api/commissioning/runs");
    expect(list.body.reports.find((r) => r.id === report.id)).toMatchObject({
      signed_by: key.fingerprint,
      signature_check: "valid",
    });
    expect(list.body.reports.find((r) => r.id === LEGACY_ID)).toMatchObject({
      signed_by: null,
      signature_check: "unsigned",
    });
  });

  it("lists an edited report that still names its key as a signature that does not verify", async () => {
    // Someone edits the stored file and keeps its signature block: the fingerprint is the real one.
    const edited = JSON.parse(readFileSync(reportFile, "utf8")) as CommissioningReport;
    edited.checkout![0]!.verdict = "pass";
    const forgedId = "cr-20261202-100000-f0f0f0";
    writeFileSync(
      join(dataDir, "commissioning", `${forgedId}.json`),
      JSON.stringify({ ...edited, id: forgedId }, null, 2),
    );
    const list = await call<{ reports: ListedReport[] }>("GET", "/api/commissioning/runs");
    expect(list.body.reports.find((r) => r.id === forgedId)).toMatchObject({
      signed_by: key.fingerprint,
      signature_check: "bad_signature",
    });
    rmSync(join(dataDir, "commissioning", `${forgedId}.json`));
  });

  it("verifies by the CLI with the fingerprint or the key, and fails a tampered file with the reason", () => {
    expect(verifyCli(reportFile, "--fingerprint", key.fingerprint)).toMatchObject({ code: 0 });
    const pem = join(work, "supervisor.pub.pem");
    writeFileSync(pem, key.public_key_pem);
    expect(verifyCli(reportFile, "--key", pem).code).toBe(0);
    const untrusted = verifyCli(reportFile);
    expect(untrusted.code).toBe(3);
    expect(untrusted.out).toContain("--fingerprint");

    // The failed line turned into a pass, as someone handing over a cleaner report might.
    const tampered = join(work, "tampered.json");
    const edited = JSON.parse(readFileSync(reportFile, "utf8")) as CommissioningReport;
    edited.checkout![0]!.verdict = "pass";
    edited.summary = { ...edited.summary, pass: edited.summary.pass + 1, fail: edited.summary.fail - 1 };
    writeFileSync(tampered, JSON.stringify(edited, null, 2));
    const failed = verifyCli(tampered, "--fingerprint", key.fingerprint);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("INVALID (bad_signature)");
    expect(failed.out).toContain("changed after it was signed");
  });

  it("verifies by the route for a viewer, and fails a tampered report with the reason", async () => {
    const good = await call<VerifyResult & { supervisor_fingerprint: string }>(
      "POST",
      "/api/commissioning/verify",
      JSON.parse(readFileSync(reportFile, "utf8")),
    );
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({
      valid: true,
      code: "valid",
      trusted: true,
      fingerprint: key.fingerprint,
    });
    expect(good.body.supervisor_fingerprint).toBe(key.fingerprint);

    const edited = { ...report, person: "Someone Else" };
    const bad = await call<VerifyResult>("POST", "/api/commissioning/verify", edited);
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ valid: false, code: "bad_signature" });

    const legacy = await call<CommissioningReport>("GET", `/api/commissioning/runs/${LEGACY_ID}`);
    expect(legacy.status).toBe(200);
    const unsigned = await call<VerifyResult>("POST", "/api/commissioning/verify", legacy.body);
    expect(unsigned.body).toMatchObject({ valid: false, code: "unsigned" });
    expect(unsigned.body.message).toContain("unsigned (made before signatures)");

    const notReport = await call<{ errors: { path: string; code: string }[] }>(
      "POST",
      "/api/commissioning/verify",
      [1, 2],
    );
    expect(notReport.status).toBe(422);
    expect(notReport.body.errors[0]?.code).toBe("not_a_report");
    // Anonymous callers get nothing: this supervisor has no --public-read.
    const anonymous = await api(sup.url, "/api/commissioning/verify", { method: "POST", body: report });
    expect(anonymous.status).toBe(401);
  });

  it("never lets the private key out: not in answers, logs, the audit export or runtime.db", async () => {
    await raw("/api/audit/export.csv").catch(() => undefined);
    received.push(JSON.stringify((await api(sup.url, "/api/audit", { token: sup.token })).body));
    received.push(JSON.stringify((await call("GET", "/api/execution/logs")).body));
    received.push(JSON.stringify((await call("GET", "/api/commissioning/runs")).body));
    const pem = readFileSync(join(dataDir, REPORT_KEY_FILE), "utf8");
    const seed = Buffer.from(createPrivateKey(pem).export({ format: "jwk" }).d!, "base64url");
    const pemBody = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
    const forms = [...pemBody, seed.toString("base64"), seed.toString("base64url"), seed.toString("hex")];
    const haystacks = {
      answers: received.join("\n"),
      output: sup.output(),
      database: readFileSync(join(dataDir, "runtime.db")).toString("latin1"),
      reports: readFileSync(reportFile, "utf8"),
    };
    expect(haystacks.answers.length).toBeGreaterThan(1000);
    for (const [where, text] of Object.entries(haystacks))
      for (const form of forms)
        expect(text.includes(form), `${where} holds the key (${form.length})`).toBe(false);
    // The database a backup copies holds not even the key's file name: the key lives only in its file.
    expect(haystacks.database).not.toContain(REPORT_KEY_FILE);
  });

  it("after a rotation (key file deleted), old reports fail against the new key and keep their own", async () => {
    await sup.stop();
    rmSync(join(dataDir, REPORT_KEY_FILE));
    // A run the stopped process left going, as a crash or a power cut leaves it.
    const interruptedId = "cr-20261202-100500-0c0c0c";
    writeFileSync(
      join(dataDir, "commissioning", `${interruptedId}.json`),
      JSON.stringify(
        { ...report, id: interruptedId, status: "running", finished_at: null, digest: null, signature: null },
        null,
        2,
      ),
    );
    sup = await start();
    const rotated = (await call<SigningKeyAnswer>("GET", "/api/commissioning/signing-key")).body;
    expect(rotated.fingerprint).not.toBe(key.fingerprint);
    // The start sealed it: failed, signed by the key of the process that found it, and downloadable.
    const list = await call<{ reports: ListedReport[] }>("GET", "/api/commissioning/runs");
    expect(list.body.reports.find((r) => r.id === interruptedId)).toMatchObject({
      status: "failed",
      signed_by: rotated.fingerprint,
      signature_check: "valid",
    });
    expect(list.body.reports.find((r) => r.id === report.id)).toMatchObject({
      signed_by: key.fingerprint,
      signature_check: "other_key",
    });
    const sealed = await raw(`/api/commissioning/runs/${interruptedId}/report.json`);
    expect(sealed.status).toBe(200);
    expect(JSON.parse(sealed.text)).toMatchObject({
      status: "failed",
      error: "the supervisor stopped during the run",
    });
    const byNewKey = await call<VerifyResult>(
      "POST",
      "/api/commissioning/verify",
      JSON.parse(readFileSync(reportFile, "utf8")),
    );
    expect(byNewKey.body).toMatchObject({ valid: false, code: "wrong_key", fingerprint: key.fingerprint });
    expect(byNewKey.body.message).toContain(rotated.fingerprint);
    const cli = verifyCli(reportFile, "--fingerprint", rotated.fingerprint);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain("wrong_key");
    // The old key still proves the old report: rotation does not unsign what was handed over.
    expect(verifyCli(reportFile, "--fingerprint", key.fingerprint).code).toBe(0);
  }, 90_000);
});
