import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "@bms/test-support";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { demoFlowConfiguration } from "../flow-document";
import { openDatabase } from "./client";
import { recordDeployment } from "./deployments-repository";
import { MIGRATIONS, migrate } from "./migrations";
import { exportProject, importProject } from "./project-transfer";
import { createProject } from "./projects-repository";
import { SECRET_KEY_FILE } from "./secret-store";
import {
  builtinSupervisor,
  createSupervisor,
  getSupervisorTarget,
  listSupervisorTargets,
  toEntry,
  updateSupervisor,
} from "./supervisors-repository";
import { saveVersion } from "./versions-repository";

const TOKEN = "tok-3n7Qp9ZfWm2KxVb8LrT4yHc6";
const FP = `AB:${"0F:".repeat(30)}C1`;

function freshDb() {
  const dir = tempDir("designer-sup");
  const file = join(dir, "projects.db");
  return { dir, file, db: openDatabase(file) };
}

/** Every byte SQLite keeps for this database: the file, its WAL and shared-memory index. */
function rawBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`, `${file}-shm`].filter(existsSync).map((f) => readFileSync(f)));
}

function added(db: Database.Database, input: Parameters<typeof createSupervisor>[1]) {
  const saved = createSupervisor(db, input);
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  return saved.target;
}

describe("supervisor tokens at rest", () => {
  it("seals tokens with a 0600 key beside projects.db: no token text in the file, the WAL or an entry", () => {
    const { dir, file, db } = freshDb();
    expect(existsSync(join(dir, SECRET_KEY_FILE))).toBe(false); // created on first use, not before
    const target = added(db, { name: "Plant", url: "http://10.0.0.5:8080", token: TOKEN });
    const keyFile = join(dir, SECRET_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile);
    expect(key).toHaveLength(32);
    expect(getSupervisorTarget(db, target.id)?.token).toBe(TOKEN);

    const bytes = rawBytes(file);
    expect(bytes.includes(Buffer.from(TOKEN))).toBe(false);
    expect(bytes.includes(key)).toBe(false);
    expect(bytes.includes(Buffer.from(key.toString("base64")))).toBe(false);
    expect(bytes.includes(Buffer.from(key.toString("hex")))).toBe(false);
    db.close();
    expect(rawBytes(file).includes(Buffer.from(TOKEN))).toBe(false);

    const entries = listSupervisorTargets(openDatabase(file)).map(toEntry);
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
    expect(entries.find((e) => e.id === target.id)).toMatchObject({ has_token: true, problem: null });
  });

  it("migrates plaintext tokens of an older projects.db in place, leaving no trace of them in the file", () => {
    const dir = tempDir("designer-sup-old");
    const file = join(dir, "projects.db");
    const old = new Database(file);
    old.pragma("journal_mode = WAL");
    migrate(old, MIGRATIONS.slice(0, 3));
    for (const [id, token] of [
      ["s1", TOKEN],
      ["s2", `${TOKEN}-second`],
      ["s3", ""],
    ] as const)
      old
        .prepare("INSERT INTO supervisors (id, name, url, token) VALUES (?, ?, ?, ?)")
        .run(id, id, "http://10.0.0.5:8080", token);
    old.close();
    expect(readFileSync(file).includes(Buffer.from(TOKEN))).toBe(true); // the premise

    const db = openDatabase(file);
    expect(getSupervisorTarget(db, "s1")?.token).toBe(TOKEN);
    expect(getSupervisorTarget(db, "s2")?.token).toBe(`${TOKEN}-second`);
    expect(toEntry(getSupervisorTarget(db, "s3")!).has_token).toBe(false);
    const columns = (db.prepare("PRAGMA table_info(supervisors)").all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(columns).not.toContain("token");
    expect(rawBytes(file).includes(Buffer.from(TOKEN))).toBe(false);
    db.close();
    expect(rawBytes(file).includes(Buffer.from(TOKEN))).toBe(false);
    expect(getSupervisorTarget(openDatabase(file), "s1")?.token).toBe(TOKEN); // runs once, stays readable
  });

  it("a replaced key file makes the token unusable with a clear problem, and a new URL does not carry it", () => {
    const mine = freshDb();
    const target = added(mine.db, { name: "Plant", url: "http://10.0.0.5:8080", token: TOKEN });
    mine.db.close();
    const other = freshDb();
    added(other.db, { name: "x", url: "http://10.0.0.6:8080", token: "y" });
    // This database restored next to another installation's key.
    const restored = join(tempDir("designer-sup-restored"), "projects.db");
    copyFileSync(mine.file, restored);
    copyFileSync(join(other.dir, SECRET_KEY_FILE), join(dirname(restored), SECRET_KEY_FILE));
    const db = openDatabase(restored);
    const broken = getSupervisorTarget(db, target.id)!;
    expect(broken.token).toBe("");
    expect(broken.problem).toMatch(/stored token cannot be used .*enter it again in Settings/);
    const moved = updateSupervisor(db, target.id, { name: "Plant", url: "http://10.0.0.7:8080" });
    expect(moved.ok).toBe(true);
    const row = db.prepare("SELECT token_sealed FROM supervisors WHERE id = ?").get(target.id) as {
      token_sealed: string;
    };
    expect(row.token_sealed).toBe("");
  });
});

describe("supervisor registry rules", () => {
  it.each([
    ["http://10.0.0.5:8080?", "a query string is not allowed here"],
    ["http://10.0.0.5:8080/?x=/api/evil", "a query string is not allowed here"],
    ["http://10.0.0.5:8080#", "a fragment is not allowed here"],
    ["http://10.0.0.5:8080#@evil.example", "a fragment is not allowed here"],
    ["http://admin@10.0.0.5:8080", "credentials do not belong in the URL"],
    ["http://10.0.0.5:8080@evil.example", "credentials do not belong in the URL"],
    ["http://10.0.0.5:8080/api/points", "give the base address only"],
    ["ftp://10.0.0.5", "the scheme must be http or https"],
    ["10.0.0.5:8080", "not a valid URL"],
  ])("refuses %s with 422 {path: url}", (url, message) => {
    const { db } = freshDb();
    const saved = createSupervisor(db, { name: "x", url, token: TOKEN });
    expect(saved.ok).toBe(false);
    if (saved.ok) return;
    expect(saved.status).toBe(422);
    expect(saved.errors).toEqual([{ path: "url", message: expect.stringContaining(message) }]);
    expect(listSupervisorTargets(db)).toHaveLength(1); // only the builtin: nothing stored
  });

  it("keeps the URL as scheme://host:port, rebuilt by the URL API", () => {
    const { db } = freshDb();
    expect(added(db, { name: "a", url: " https://Sup.Example:8443/ " }).url).toBe("https://sup.example:8443");
    expect(added(db, { name: "b", url: "http://[::1]:8080" }).url).toBe("http://[::1]:8080");
  });

  it("refuses a new URL without the token, keeps everything as it was, and accepts it with the token", () => {
    const { db } = freshDb();
    const target = added(db, {
      name: "Plant",
      url: "https://10.0.0.5:8443",
      token: TOKEN,
      tls_fingerprint: FP,
    });
    const refused = updateSupervisor(db, target.id, { name: "Plant", url: "https://10.6.6.6:8443" });
    expect(refused).toEqual({
      ok: false,
      status: 422,
      error: "the supervisor was not saved",
      errors: [{ path: "token", message: "the token must be entered again when the URL changes" }],
    });
    expect(getSupervisorTarget(db, target.id)).toMatchObject({ url: "https://10.0.0.5:8443", token: TOKEN });
    // Same URL written differently is not a change; a rename keeps token and pin.
    const renamed = updateSupervisor(db, target.id, { name: "Plant 2", url: "https://10.0.0.5:8443/" });
    expect(renamed.ok && renamed.target).toMatchObject({
      name: "Plant 2",
      token: TOKEN,
      tls_fingerprint: FP,
    });
    // With the token: saved, and the old pin dropped (another host presents another certificate).
    const moved = updateSupervisor(db, target.id, {
      name: "Plant",
      url: "https://10.6.6.6:8443",
      token: "new-tok",
    });
    expect(moved.ok && moved.target).toMatchObject({
      url: "https://10.6.6.6:8443",
      token: "new-tok",
      tls_fingerprint: null,
    });
  });

  it("normalises a pasted fingerprint, refuses one for http or malformed, and null unpins", () => {
    const { db } = freshDb();
    const pasted = `SHA256 Fingerprint=${FP.toLowerCase()}`;
    const target = added(db, { name: "a", url: "https://10.0.0.5:8443", tls_fingerprint: pasted });
    expect(target.tls_fingerprint).toBe(FP);
    const http = createSupervisor(db, { name: "b", url: "http://10.0.0.5:8080", tls_fingerprint: FP });
    expect(!http.ok && http.errors).toEqual([
      { path: "tls_fingerprint", message: "a certificate fingerprint applies to https URLs only" },
    ]);
    const short = createSupervisor(db, { name: "c", url: "https://10.0.0.5:8443", tls_fingerprint: "AB:CD" });
    expect(!short.ok && short.errors?.[0]?.path).toBe("tls_fingerprint");
    const unpinned = updateSupervisor(db, target.id, { name: "a", url: target.url, tls_fingerprint: null });
    expect(unpinned.ok && unpinned.target.tls_fingerprint).toBeNull();
  });

  it("pins a report signing key fingerprint on any scheme, keeps it across a move, and clears it", () => {
    const { db } = freshDb();
    const pasted = FP.replace(/:/g, "").toLowerCase();
    const target = added(db, {
      name: "a",
      url: "http://10.0.0.5:8080",
      token: TOKEN,
      report_key_fingerprint: pasted,
    });
    expect(target.report_key_fingerprint).toBe(FP);
    expect(toEntry(target).report_key_fingerprint).toBe(FP);
    const bad = createSupervisor(db, {
      name: "b",
      url: "http://10.0.0.6:8080",
      report_key_fingerprint: "AB:CD",
    });
    expect(!bad.ok && bad.errors?.[0]?.path).toBe("report_key_fingerprint");
    // Omitted keeps it, also when the supervisor moves: the key is the supervisor's, not its address's.
    const moved = updateSupervisor(db, target.id, {
      name: "a",
      url: "http://10.0.0.7:8080",
      token: "new-tok",
    });
    expect(moved.ok && moved.target.report_key_fingerprint).toBe(FP);
    const cleared = updateSupervisor(db, target.id, {
      name: "a",
      url: "http://10.0.0.7:8080",
      report_key_fingerprint: null,
    });
    expect(cleared.ok && cleared.target.report_key_fingerprint).toBeNull();
    expect(builtinSupervisor({ BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT: pasted }).report_key_fingerprint).toBe(
      FP,
    );
    expect(builtinSupervisor({ BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT: "nope" }).problem).toContain(
      "BMS_SUPERVISOR_REPORT_KEY_FINGERPRINT is invalid",
    );
  });

  it("the builtin supervisor parses BMS_SUPERVISOR_URL the same way and reports a bad one clearly", () => {
    expect(
      builtinSupervisor({ BMS_SUPERVISOR_URL: "http://127.0.0.1:8080/", BMS_SUPERVISOR_TOKEN: "t" }),
    ).toMatchObject({
      url: "http://127.0.0.1:8080",
      token: "t",
      problem: null,
    });
    expect(builtinSupervisor({}).url).toBe("http://127.0.0.1:8080");
    expect(builtinSupervisor({ BMS_SUPERVISOR_URL: "http://127.0.0.1:8080?x=" }).problem).toBe(
      "BMS_SUPERVISOR_URL is invalid (a query string is not allowed here): fix it in the Designer's environment and restart",
    );
    expect(
      builtinSupervisor({
        BMS_SUPERVISOR_URL: "https://127.0.0.1:8443",
        BMS_SUPERVISOR_TLS_FINGERPRINT: FP.toLowerCase(),
      }).tls_fingerprint,
    ).toBe(FP);
    expect(
      builtinSupervisor({
        BMS_SUPERVISOR_URL: "https://127.0.0.1:8443",
        BMS_SUPERVISOR_TLS_FINGERPRINT: "nope",
      }).problem,
    ).toMatch(/BMS_SUPERVISOR_TLS_FINGERPRINT is invalid/);
  });
});

describe("project files carry no secrets", () => {
  it("exports flows and project data only, even for a project deployed to supervisors with tokens", () => {
    const { dir, db } = freshDb();
    const target = added(db, {
      name: "Plant",
      url: "https://10.0.0.5:8443",
      token: TOKEN,
      tls_fingerprint: FP,
    });
    const project = createProject(db, { name: "Chillers" });
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Chillers");
    saveVersion(db, project.id, {
      baseVersion: 1,
      document: { flows: [{ configuration: flow, flow_data: { comments: [], groups: [] } }], library: [] },
    });
    recordDeployment(db, project.id, 2, {
      supervisor_id: target.id,
      supervisor_name: target.name,
      ok: true,
      config_version: 1,
      checksum: "abc",
      latency_ms: 3,
      flows: [],
    });
    const text = JSON.stringify(exportProject(db, project.id));
    const key = readFileSync(join(dir, SECRET_KEY_FILE));
    const sealed = (db.prepare("SELECT token_sealed FROM supervisors").get() as { token_sealed: string })
      .token_sealed;
    for (const secret of [
      TOKEN,
      sealed,
      key.toString("base64"),
      key.toString("base64url"),
      key.toString("hex"),
    ])
      expect(text).not.toContain(secret);
    expect(text).not.toContain(target.id); // no registry data at all
    expect(text).not.toMatch(/token|tls_fingerprint|10\.0\.0\.5/);
    expect(Object.keys(JSON.parse(text))).toEqual([
      "format",
      "format_version",
      "exported_at",
      "project",
      "versions",
      "templates",
    ]);
  });

  it("an import never creates supervisors or secrets, whatever the file carries", () => {
    const { dir, db } = freshDb();
    const project = createProject(db, { name: "Source" });
    const file = exportProject(db, project.id)!;
    const tampered = {
      ...file,
      supervisors: [{ id: "evil", name: "Evil", url: "http://10.6.6.6:8080", token: TOKEN }],
      secrets: { key: "AAAA" },
    };
    const imported = importProject(db, tampered);
    expect(imported.ok).toBe(true);
    expect(listSupervisorTargets(db).map((t) => t.id)).toEqual(["default"]);
    expect(existsSync(join(dir, SECRET_KEY_FILE))).toBe(false);
    expect(JSON.stringify(db.prepare("SELECT * FROM project_configs").all())).not.toContain(TOKEN);
  });
});
