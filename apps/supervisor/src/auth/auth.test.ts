import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { AuditRepo, auditCsv } from "../storage/audit-repo";
import { openDatabase } from "../storage/database";
import { SessionsRepo } from "../storage/sessions-repo";
import { TokensRepo } from "../storage/tokens-repo";
import { parseExpiry } from "../token-cli";
import { allowedHostNames, isLoopbackHost } from "./allowed-hosts";
import { bootstrapTokenProblem, DEMO_TOKEN } from "./bind-policy";
import { FailureLimiter } from "./failure-limiter";

describe("failure limiter", () => {
  it("locks a source out at the limit within the window, reports it once, and lets it go after", () => {
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 1000, lockMs: 5000 });
    expect(limiter.fail("a", 0)).toEqual({ locked: false, failures: 1 });
    expect(limiter.fail("a", 100).locked).toBe(false);
    expect(limiter.fail("b", 100).locked).toBe(false); // another source counts on its own
    expect(limiter.fail("a", 200)).toEqual({ locked: true, failures: 3 });
    expect(limiter.lockedUntil("a", 300)).toBe(5200);
    expect(limiter.fail("a", 400).locked).toBe(false); // already locked: not reported again
    expect(limiter.lockedUntil("b", 300)).toBeUndefined();
    expect(limiter.lockedUntil("a", 5200)).toBeUndefined();
  });

  it("forgets failures older than the window", () => {
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 1000, lockMs: 5000 });
    limiter.fail("a", 0);
    expect(limiter.fail("a", 1500).locked).toBe(false);
  });

  it("stays bounded under a flood of sources", () => {
    const limiter = new FailureLimiter({ maxFailures: 10, windowMs: 1000, lockMs: 5000 });
    for (let i = 0; i < 50_000; i++) limiter.fail(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, i);
    expect(limiter.size).toBeLessThanOrEqual(10_000);
  });
});

describe("bind policy and allowed hosts", () => {
  it("refuses the demo token and short tokens beyond loopback only", () => {
    expect(bootstrapTokenProblem("127.0.0.1", DEMO_TOKEN)).toBeNull();
    expect(bootstrapTokenProblem("localhost", "short")).toBeNull();
    expect(bootstrapTokenProblem("0.0.0.0", DEMO_TOKEN)).toMatch(/demo token is refused/);
    expect(bootstrapTokenProblem("192.168.1.20", "x".repeat(31))).toMatch(/at least 32 characters/);
    expect(bootstrapTokenProblem("192.168.1.20", "x".repeat(32))).toBeNull();
  });

  it("answers to the bind address and host name beyond loopback, or to exactly the configured names", () => {
    expect(isLoopbackHost("127.0.20.1")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(allowedHostNames("127.0.0.1", [], "plant-pc")).toEqual([]);
    expect(allowedHostNames("192.168.1.20", [], "Plant-PC")).toEqual(["192.168.1.20", "plant-pc"]);
    expect(allowedHostNames("0.0.0.0", ["BMS.example.com"], "plant-pc")).toEqual(["bms.example.com"]);
    expect(allowedHostNames("0.0.0.0", [], "plant-pc")).toContain("plant-pc");
  });
});

describe("tokens, sessions and the audit table", () => {
  it("checks tokens by digest: unknown, expired, revoked; never stores the secret", () => {
    const db = openDatabase(tempDir("tokens"));
    const tokens = new TokensRepo(db);
    const { token, secret } = tokens.create({
      name: "a",
      role: "operator",
      createdBy: "t",
      expiresAt: 10_000,
    });
    expect(secret).toMatch(/^bms_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(db.prepare("SELECT * FROM api_tokens").all())).not.toContain(secret);
    expect(tokens.check(secret, 5_000)).toMatchObject({
      ok: true,
      token: { id: token.id, role: "operator" },
    });
    expect(tokens.check(secret, 10_000)).toMatchObject({ ok: false, reason: "expired" });
    expect(tokens.check("bms_other", 5_000)).toEqual({ ok: false, reason: "unknown" });
    expect(tokens.revoke(token.id, 6_000)).toBe(true);
    expect(tokens.check(secret, 7_000)).toMatchObject({ ok: false, reason: "revoked" });
    expect(tokens.revoke(999)).toBe(false);
    db.close();
  });

  it("ends a session at the idle timeout and at the absolute lifetime", () => {
    const db = openDatabase(tempDir("sessions"));
    const sessions = new SessionsRepo(db, { idleMs: 1000, absoluteMs: 5000 });
    const who = { kind: "bootstrap" as const, name: "x", role: "admin" as const, token_id: null };
    sessions.open("s1", who, 0);
    expect(sessions.touch("s1", 900)).toBeDefined();
    expect(sessions.touch("s1", 1800)).toBeDefined(); // 900 ms after the last request
    expect(sessions.touch("s1", 2900)).toBeUndefined(); // idle 1100 ms: over, and deleted
    sessions.open("s2", who, 0);
    for (let t = 500; t < 5000; t += 500) expect(sessions.touch("s2", t)).toBeDefined();
    expect(sessions.touch("s2", 5000)).toBeUndefined();
    expect(JSON.stringify(db.prepare("SELECT * FROM sessions").all())).not.toContain("s2");
    db.close();
  });

  it("keeps records at least 90 days whatever retention asks", () => {
    const db = openDatabase(tempDir("audit"));
    const audit = new AuditRepo(db);
    const now = Date.now();
    const base = { actor: { kind: "system" as const, name: "t", role: null }, source: "x", target: null };
    audit.add({ ...base, action: "old", result: "ok", at: now - 100 * 86_400_000 });
    audit.add({ ...base, action: "recent", result: "ok", at: now - 80 * 86_400_000 });
    expect(audit.prune(30, now)).toBe(1); // 30 days asked, 90 kept
    expect(audit.query({ limit: 10 }).map((r) => r.action)).toEqual(["recent"]);
  });

  it("writes CSV a spreadsheet cannot run", () => {
    const csv = auditCsv([
      {
        id: 1,
        at: "2026-01-01T00:00:00.000Z",
        actor: { kind: "token", name: '=HYPERLINK("x")', role: "operator" },
        source: "10.0.0.1",
        action: "point.write",
        target: "a,b",
        result: "ok",
        details: { value: -1 },
      },
    ]);
    expect(csv.split("\r\n")[1]).toBe(
      `1,2026-01-01T00:00:00.000Z,token,"'=HYPERLINK(""x"")",operator,,10.0.0.1,point.write,"a,b",ok,,"{""value"":-1}"`,
    );
  });

  it("reads token expiries as durations or dates", () => {
    expect(parseExpiry("30d", 0)).toBe(30 * 86_400_000);
    expect(parseExpiry("12h", 0)).toBe(12 * 3_600_000);
    expect(() => parseExpiry("2000-01-01")).toThrow(/in the past/);
    expect(() => parseExpiry("soon")).toThrow(/not 30d/);
  });
});
