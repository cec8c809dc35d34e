import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../db/client";
import { exportProject } from "../db/project-transfer";
import { listProjects } from "../db/projects-repository";
import { proxyRule } from "../runtime-proxy-rules";
import { appendAudit, auditCsv, pruneAudit, queryAudit } from "./audit-repository";
import { LoginThrottle, MAX_FAILURES } from "./login-throttle";
import { safeNext } from "./safe-next";
import { readCookie, sessionCookie } from "./session-cookie";
import { createSession, findSession } from "./sessions-repository";
import {
  changeOwnPassword,
  checkCredentials,
  createFirstAdmin,
  createUser,
  deleteUser,
  updateUser,
} from "./users-repository";

const fresh = () => openDatabase(join(tempDir("designer-auth"), "projects.db"));
const LIMITS = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const actor = { kind: "user" as const, name: "alice", role: "operator" as const };

describe("users", () => {
  it("stores scrypt hashes, checks passwords, and refuses a duplicate name", async () => {
    const db = fresh();
    const created = await createUser(db, { name: "alice", role: "operator", password: "alice-password-1" });
    expect(created.ok).toBe(true);
    const stored = db.prepare("SELECT password_hash FROM users").get() as { password_hash: string };
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.password_hash).not.toContain("alice-password-1");
    expect((await checkCredentials(db, "alice", "alice-password-1"))?.role).toBe("operator");
    expect(await checkCredentials(db, "alice", "wrong-password-12")).toBeNull();
    expect(await checkCredentials(db, "nobody", "alice-password-1")).toBeNull();
    const again = await createUser(db, { name: "ALICE", role: "viewer", password: "another-password" });
    expect(again).toMatchObject({ ok: false, status: 409, code: "user_exists" });
  });

  it("creates the first admin only while no user exists", async () => {
    const db = fresh();
    const [a, b] = await Promise.all([
      createFirstAdmin(db, { name: "first", password: "first-password-1" }),
      createFirstAdmin(db, { name: "second", password: "second-password" }),
    ]);
    expect([a?.name, b?.name].filter(Boolean)).toHaveLength(1);
  });

  it("never removes or demotes the last admin", async () => {
    const db = fresh();
    const admin = (await createFirstAdmin(db, { name: "root", password: "root-password-12" }))!;
    expect(deleteUser(db, admin.id)).toMatchObject({ ok: false, code: "last_admin" });
    expect(await updateUser(db, admin.id, { role: "viewer" })).toMatchObject({
      ok: false,
      code: "last_admin",
    });
    const other = await createUser(db, { name: "second", role: "admin", password: "second-password" });
    expect(other.ok).toBe(true);
    expect(await updateUser(db, admin.id, { role: "viewer" })).toMatchObject({ ok: true });
  });

  it("ends other sessions on a password change and every session on removal", async () => {
    const db = fresh();
    const user = (await createFirstAdmin(db, { name: "root", password: "root-password-12" }))!;
    const keep = createSession(db, user.id, "a");
    const other = createSession(db, user.id, "b");
    const keepHash = findSession(db, keep.id, { touch: false });
    expect(keepHash.ok).toBe(true);
    if (!keepHash.ok) return;
    expect(
      await changeOwnPassword(db, user.id, "wrong-password-1", "new-password-123", keepHash.session.idHash),
    ).toBe(false);
    expect(
      await changeOwnPassword(db, user.id, "root-password-12", "new-password-123", keepHash.session.idHash),
    ).toBe(true);
    expect(findSession(db, keep.id, { touch: false }).ok).toBe(true);
    expect(findSession(db, other.id, { touch: false })).toEqual({ ok: false, reason: "unknown" });
  });
});

describe("sessions", () => {
  it("end after the idle time, and after the absolute lifetime even when in use", async () => {
    const db = fresh();
    const user = (await createFirstAdmin(db, { name: "root", password: "root-password-12" }))!;
    const t0 = 1_000_000_000_000;
    const idle = createSession(db, user.id, "x", t0);
    expect(findSession(db, idle.id, { touch: true, now: t0 + LIMITS.idleMs - 1, limits: LIMITS }).ok).toBe(
      true,
    );
    expect(
      findSession(db, idle.id, { touch: true, now: t0 + 2 * LIMITS.idleMs - 2, limits: LIMITS }).ok,
    ).toBe(true);
    expect(findSession(db, idle.id, { touch: false, now: t0 + 3 * LIMITS.idleMs, limits: LIMITS })).toEqual({
      ok: false,
      reason: "idle",
    });
    // Deleted on sight: the same cookie is unknown afterwards.
    expect(findSession(db, idle.id, { touch: false, now: t0, limits: LIMITS })).toEqual({
      ok: false,
      reason: "unknown",
    });

    const busy = createSession(db, user.id, "x", t0);
    let now = t0;
    let ended: string | null = null;
    while (!ended && now < t0 + 2 * LIMITS.absoluteMs) {
      now += LIMITS.idleMs / 2;
      const found = findSession(db, busy.id, { touch: true, now, limits: LIMITS });
      if (!found.ok) ended = found.reason;
    }
    expect(ended).toBe("expired");
    expect(now).toBeGreaterThan(t0 + LIMITS.absoluteMs);
    expect(now - LIMITS.idleMs / 2).toBeLessThanOrEqual(t0 + LIMITS.absoluteMs);
  });

  it("a background poll does not count as activity", async () => {
    const db = fresh();
    const user = (await createFirstAdmin(db, { name: "root", password: "root-password-12" }))!;
    const t0 = 1_000_000_000_000;
    const s = createSession(db, user.id, "x", t0);
    for (let t = t0; t < t0 + LIMITS.idleMs; t += 60_000)
      findSession(db, s.id, { touch: false, now: t, limits: LIMITS });
    expect(findSession(db, s.id, { touch: false, now: t0 + LIMITS.idleMs + 1, limits: LIMITS }).ok).toBe(
      false,
    );
  });

  it("keeps only a hash of the session id", async () => {
    const db = fresh();
    const user = (await createFirstAdmin(db, { name: "root", password: "root-password-12" }))!;
    const s = createSession(db, user.id, "x");
    const dump = JSON.stringify(db.prepare("SELECT * FROM sessions").all());
    expect(dump).not.toContain(s.id);
  });

  it("cookie: HttpOnly, SameSite=Strict, Secure only under TLS", () => {
    expect(sessionCookie("abc", { tls: false, maxAgeSeconds: 60 })).toBe(
      "bms_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60",
    );
    expect(sessionCookie("abc", { tls: true, maxAgeSeconds: 60 })).toContain("; Secure");
    expect(readCookie("a=1; bms_session=xyz; b=2", "bms_session")).toBe("xyz");
    expect(readCookie("bms_session_other=1", "bms_session")).toBeUndefined();
  });
});

describe("audit trail", () => {
  it("is append-only and keeps at least 90 days, enforced by the database", () => {
    const db = fresh();
    const id = appendAudit(db, { actor, source: "10.0.0.5", action: "project.save", result: "ok" });
    expect(() => db.prepare("UPDATE audit_log SET result = 'failed' WHERE id = ?").run(id)).toThrow(
      /append-only/,
    );
    expect(() => db.prepare("DELETE FROM audit_log WHERE id = ?").run(id)).toThrow(/90 days/);
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString();
    appendAudit(db, { actor, source: "x", action: "auth.login", result: "failed" }, old);
    expect(pruneAudit(db, 365)).toBe(1);
    // Retention below 90 days is raised to 90: nothing younger goes.
    appendAudit(
      db,
      { actor, source: "x", action: "auth.login", result: "ok" },
      new Date(Date.now() - 60 * 86_400_000).toISOString(),
    );
    expect(pruneAudit(db, 30)).toBe(0);
    expect(queryAudit(db, { limit: 100 })).toHaveLength(2);
  });

  it("filters by time, user, action prefix and result, newest first", () => {
    const db = fresh();
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes)).toISOString();
    appendAudit(db, { actor, source: "a", action: "auth.login", result: "ok" }, at(0));
    appendAudit(
      db,
      { actor: { ...actor, name: "bob" }, source: "b", action: "auth.lockout", result: "failed" },
      at(1),
    );
    appendAudit(
      db,
      {
        actor,
        source: "a",
        action: "runtime.point.write",
        result: "ok",
        details: { point: "p", value: 1, priority: 8 },
      },
      at(2),
    );
    appendAudit(db, { actor, source: "a", action: "authority.x", result: "ok" }, at(3));
    expect(queryAudit(db, { action: "auth", limit: 10 }).map((r) => r.action)).toEqual([
      "auth.lockout",
      "auth.login",
    ]);
    expect(queryAudit(db, { actor: "BOB", limit: 10 }).map((r) => r.actor.name)).toEqual(["bob"]);
    expect(queryAudit(db, { result: "failed", limit: 10 })).toHaveLength(1);
    expect(queryAudit(db, { from: at(1), to: at(2), limit: 10 }).map((r) => r.action)).toEqual([
      "runtime.point.write",
      "auth.lockout",
    ]);
    expect(queryAudit(db, { action: "runtime.point.write", limit: 1 })[0]?.details).toEqual({
      point: "p",
      value: 1,
      priority: 8,
    });
  });

  it("exports CSV that a spreadsheet cannot run as a formula", () => {
    const db = fresh();
    appendAudit(db, {
      actor: { ...actor, name: '=HYPERLINK("x")' },
      source: "a",
      action: "auth.login",
      result: "failed",
      reason: 'a, "quoted"',
    });
    const csv = auditCsv(queryAudit(db, { limit: 10 }));
    const [header, row] = csv.trim().split("\r\n");
    expect(header).toBe(
      "id,at,actor_kind,actor_name,actor_role,on_behalf_of,source,action,target,result,reason,details",
    );
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain(`"a, ""quoted"""`);
  });
});

describe("login throttle", () => {
  it("locks an address out after repeated failures, and only that address", () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 1; i < MAX_FAILURES; i++) expect(throttle.fail("10.0.0.1")).toBe(false);
    expect(throttle.lockedFor("10.0.0.1")).toBe(0);
    expect(throttle.fail("10.0.0.1")).toBe(true);
    expect(throttle.lockedFor("10.0.0.1")).toBe(15 * 60_000);
    expect(throttle.lockedFor("10.0.0.2")).toBe(0);
    now += 15 * 60_000;
    expect(throttle.lockedFor("10.0.0.1")).toBe(0);
  });

  it("forgets failures older than the window and after a success", () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 1; i < MAX_FAILURES; i++) throttle.fail("a");
    now += 16 * 60_000;
    expect(throttle.fail("a")).toBe(false);
    for (let i = 1; i < MAX_FAILURES - 1; i++) throttle.fail("b");
    throttle.succeed("b");
    expect(throttle.fail("b")).toBe(false);
  });
});

describe("small rules", () => {
  it("sign-in only returns to a path on this server", () => {
    expect(safeNext("/projects/1")).toBe("/projects/1");
    for (const bad of ["//evil.example", "https://evil.example", "/\\evil.example", "", null, undefined]) {
      expect(safeNext(bad)).toBe("/");
    }
  });

  it("the runtime proxy forwards only listed supervisor paths", () => {
    expect(proxyRule("POST", ["points", "write"])?.role).toBe("operator");
    expect(proxyRule("HEAD", ["devices"])?.role).toBe("viewer");
    expect(proxyRule("POST", ["auth", "login"])).toBeNull();
    expect(proxyRule("GET", ["devices", "1", "objects", "extra"])).toBeNull();
    expect(proxyRule("PATCH", ["config", "current"])).toBeNull();
  });

  it("a project export holds no account, session or audit data", async () => {
    const db = fresh();
    await createFirstAdmin(db, { name: "root-user", password: "root-password-12" });
    const s = createSession(db, 1, "x");
    appendAudit(db, { actor, source: "x", action: "auth.login", result: "ok" });
    const file = JSON.stringify(exportProject(db, listProjects(db)[0]!.id));
    for (const secret of ["root-user", "scrypt$", s.id, s.csrfToken, "auth.login"])
      expect(file).not.toContain(secret);
  });
});
