import { writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { loadOrCreateSelfSigned, shortFingerprint, type TlsMaterial } from "@bms/security";
import { REPO_ROOT, startProcess, tempDir } from "@bms/test-support";
import type Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/lib/db/client";
import { listProjects } from "../../src/lib/db/projects-repository";
import {
  createSupervisor,
  getSupervisorTarget,
  type SupervisorTarget,
  updateSupervisor,
} from "../../src/lib/db/supervisors-repository";
import { deployProject } from "../../src/lib/deploy-service";
import { callSupervisor } from "../../src/lib/supervisor-client";
import { testSupervisorConnection } from "../../src/lib/supervisor-connection-test";
import {
  type HttpRecorder,
  startHttpRecorder,
  startTlsRecorder,
  type TlsRecorder,
} from "./support/recording-peers";

// Own loopback addresses and ports: no other test file uses 127.0.23.0/24.
const SUPERVISOR_HOST = "127.0.23.1";
const ATTACKER_HOST = "127.0.23.2";
const TLS_HOST = "127.0.23.3";
const HTTP_PORT = 18081;
const TLS_PORT = 18443;
const KEEPALIVE_PORT = 18445;

const TOKEN = "tok-outbound-7YqK2mWc9XzR4vB1";
const NEW_TOKEN = "tok-outbound-second-Hq3Lp8Ns";

let db: Database.Database;
let supervisor: HttpRecorder;
let attacker: HttpRecorder;

const target = (id: string): SupervisorTarget => getSupervisorTarget(db, id)!;
function added(input: Parameters<typeof createSupervisor>[1]): SupervisorTarget {
  const saved = createSupervisor(db, input);
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  return saved.target;
}

beforeAll(async () => {
  db = openDatabase(join(tempDir("designer-outbound"), "projects.db"));
  supervisor = await startHttpRecorder(SUPERVISOR_HOST, HTTP_PORT);
  attacker = await startHttpRecorder(ATTACKER_HOST, HTTP_PORT);
});

afterAll(async () => {
  await supervisor?.close();
  await attacker?.close();
  db?.close();
});

beforeEach(() => {
  supervisor.requests.length = 0;
  attacker.requests.length = 0;
  supervisor.connections = 0;
  attacker.connections = 0;
});

describe("SSRF: a registry URL cannot choose the path or the host", () => {
  const hostile = [
    // Naive `${url}/api/health` would send these to the attacker, or to a path the caller chose.
    `http://${ATTACKER_HOST}:${HTTP_PORT}?`,
    `http://${SUPERVISOR_HOST}:${HTTP_PORT}/?next=`,
    `http://${SUPERVISOR_HOST}:${HTTP_PORT}/admin/reset?`,
    `http://${SUPERVISOR_HOST}:${HTTP_PORT}#`,
    `http://${SUPERVISOR_HOST}:${HTTP_PORT}#@${ATTACKER_HOST}:${HTTP_PORT}`,
    `http://${SUPERVISOR_HOST}:${HTTP_PORT}@${ATTACKER_HOST}:${HTTP_PORT}`,
    `http://user:pw@${SUPERVISOR_HOST}:${HTTP_PORT}`,
    `http://${SUPERVISOR_HOST}:${HTTP_PORT}/api/points/write`,
  ];

  it.each(hostile)("refuses %s on create and on update (422 on url), and nothing is sent", async (url) => {
    const created = createSupervisor(db, { name: "Hostile", url, token: TOKEN });
    expect(created.ok === false && created.status).toBe(422);
    expect(created.ok === false && created.errors?.map((e) => e.path)).toEqual(["url"]);

    const good = added({ name: "Good", url: `http://${SUPERVISOR_HOST}:${HTTP_PORT}`, token: TOKEN });
    const updated = updateSupervisor(db, good.id, { name: "Good", url, token: TOKEN });
    expect(updated.ok === false && updated.errors?.map((e) => e.path)).toEqual(["url"]);
    expect(target(good.id).url).toBe(`http://${SUPERVISOR_HOST}:${HTTP_PORT}`);
    await testSupervisorConnection(target(good.id));

    expect(attacker.connections).toBe(0);
    expect(supervisor.requests.map((r) => [r.host, r.path])).toEqual([
      [`${SUPERVISOR_HOST}:${HTTP_PORT}`, "/api/health"],
      [`${SUPERVISOR_HOST}:${HTTP_PORT}`, "/api/config/history?limit=1"],
    ]);
  });

  it("appends the API path with the URL API: hostile segments and queries stay below /api on the same host", async () => {
    const good = added({ name: "Good", url: `http://${SUPERVISOR_HOST}:${HTTP_PORT}/`, token: TOKEN });
    // What the runtime proxy forwards: the browser's path segments and query, one by one.
    const segments = ["api", "points", "a?b=1", "c#frag", `@${ATTACKER_HOST}:${HTTP_PORT}`, "%2e%2e"];
    const answer = await callSupervisor(target(good.id), segments.join("/"), {
      query: new URLSearchParams([["q", "x#y&z=@evil"]]),
    });
    expect(answer.ok === false && answer.status).toBe(404); // answered by the stand-in, not refused
    expect(await callSupervisor(target(good.id), "api/../admin")).toMatchObject({
      ok: false,
      code: "invalid_target",
    });
    expect(attacker.connections).toBe(0);
    expect(supervisor.requests).toEqual([
      {
        method: "GET",
        path: `/api/points/a%3Fb%3D1/c%23frag/%40${ATTACKER_HOST}%3A${HTTP_PORT}/%252e%252e?q=x%23y%26z%3D%40evil`,
        host: `${SUPERVISOR_HOST}:${HTTP_PORT}`,
        authorization: `Bearer ${TOKEN}`,
        actor: undefined,
      },
    ]);
  });

  it("names the person the Designer acts for in one header line that a name cannot split", async () => {
    const good = added({ name: "Good", url: `http://${SUPERVISOR_HOST}:${HTTP_PORT}`, token: TOKEN });
    await callSupervisor(target(good.id), "/api/health", { actor: "Alice\r\nX-Injected: 1" });
    expect(supervisor.requests).toMatchObject([{ path: "/api/health", actor: "Alice??X-Injected: 1" }]);
  });

  it("a changed URL without the token is refused, and the stored token never reaches the new address", async () => {
    const sup = added({ name: "Moving", url: `http://${SUPERVISOR_HOST}:${HTTP_PORT}`, token: TOKEN });
    const refused = updateSupervisor(db, sup.id, {
      name: "Moving",
      url: `http://${ATTACKER_HOST}:${HTTP_PORT}`,
    });
    expect(refused).toMatchObject({
      ok: false,
      status: 422,
      errors: [{ path: "token", message: "the token must be entered again when the URL changes" }],
    });
    // Nothing moved: the next test still goes to the address the token was entered for.
    expect((await testSupervisorConnection(target(sup.id))).ok).toBe(true);
    expect(attacker.connections).toBe(0);
    expect(supervisor.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);

    const moved = updateSupervisor(db, sup.id, {
      name: "Moving",
      url: `http://${ATTACKER_HOST}:${HTTP_PORT}`,
      token: NEW_TOKEN,
    });
    expect(moved.ok).toBe(true);
    expect((await testSupervisorConnection(target(sup.id))).ok).toBe(true);
    expect(attacker.requests.map((r) => r.authorization)).toEqual([
      `Bearer ${NEW_TOKEN}`,
      `Bearer ${NEW_TOKEN}`,
    ]);
  });
});

describe("certificate pinning over real TLS", () => {
  let first: TlsMaterial;
  let second: TlsMaterial;
  let peer: TlsRecorder | undefined;
  let supervisorId = "";
  const base = `https://${TLS_HOST}:${TLS_PORT}`;

  const restartPeer = async (material: TlsMaterial) => {
    await peer?.close();
    peer = await startTlsRecorder(TLS_HOST, TLS_PORT, material);
  };
  const sentBytes = () => peer!.received().toString("latin1");
  /** Once every connection the client opened has closed, nothing more can arrive: then count the bytes. */
  const bytesOnceClosed = async () => {
    await expect.poll(() => peer!.connections > 0 && peer!.closed === peer!.connections).toBe(true);
    return peer!.received().length;
  };

  beforeAll(async () => {
    // Two certificates for the same address: the second simulates a replaced (or impostor) supervisor.
    first = await loadOrCreateSelfSigned(tempDir("tls-first"), [TLS_HOST]);
    second = await loadOrCreateSelfSigned(tempDir("tls-second"), [TLS_HOST]);
    expect(first.fingerprint256).not.toBe(second.fingerprint256);
    await restartPeer(first);
    supervisorId = added({ name: "Roof", url: base, token: TOKEN }).id;
  });

  afterAll(async () => {
    await peer?.close();
  });

  it("an unpinned self-signed supervisor is refused during the handshake: no byte, no token sent", async () => {
    const answer = await callSupervisor(target(supervisorId), "/api/health");
    expect(answer).toMatchObject({ ok: false, status: null, code: "certificate_untrusted" });
    expect(await bytesOnceClosed()).toBe(0);
  });

  it("the connection test shows the presented fingerprint for confirmation, after a bare handshake", async () => {
    const result = await testSupervisorConnection(target(supervisorId));
    expect(result).toMatchObject({
      ok: false,
      code: "certificate_unconfirmed",
      certificate: { fingerprint256: first.fingerprint256, ca_valid: false, matches_pin: false },
    });
    expect(await bytesOnceClosed()).toBe(0);
  });

  it("once confirmed (pinned, no token re-entry for the same URL), calls go through with the token", async () => {
    const pinned = updateSupervisor(db, supervisorId, {
      name: "Roof",
      url: base,
      tls_fingerprint: first.fingerprint256,
    });
    expect(pinned.ok && pinned.target).toMatchObject({ tls_fingerprint: first.fingerprint256, token: TOKEN });
    const result = await testSupervisorConnection(target(supervisorId));
    expect(result).toMatchObject({ ok: true, version: "9.9.9", certificate: { matches_pin: true } });
    // The positive control: this recorder does see the token when the client is allowed to send it.
    expect(sentBytes()).toContain(`authorization: Bearer ${TOKEN}`);
    expect(sentBytes()).toContain("GET /api/config/history?limit=1 HTTP/1.1");
  });

  it("a changed certificate is refused with a clear error before any request byte (or the token) is sent", async () => {
    await restartPeer(second);
    const expected = `the supervisor's certificate changed: expected ${shortFingerprint(first.fingerprint256)}, got ${shortFingerprint(second.fingerprint256)}; re-confirm it in Settings if this is expected`;

    const health = await callSupervisor(target(supervisorId), "/api/health");
    expect(health).toMatchObject({ ok: false, status: null, code: "certificate_changed" });
    expect(health.ok === false && health.error).toBe(
      `Supervisor "Roof" at ${base} was not trusted: ${expected}`,
    );

    const test = await testSupervisorConnection(target(supervisorId));
    expect(test).toMatchObject({
      ok: false,
      code: "certificate_changed",
      error: expected,
      certificate: { fingerprint256: second.fingerprint256, matches_pin: false },
    });

    // A deploy (the call that carries the most) is refused the same way.
    const demo = listProjects(db)[0]!;
    const deploy = await deployProject(db, demo.id, [supervisorId]);
    expect(deploy.ok && deploy.result.outcomes[0]).toMatchObject({
      ok: false,
      error: expect.stringContaining(expected),
    });

    expect(peer!.connections).toBeGreaterThanOrEqual(3); // it was reached every time…
    expect(await bytesOnceClosed()).toBe(0); // …and never sent a single byte: no request line, no token
  });

  it("re-confirming the new certificate restores service", async () => {
    updateSupervisor(db, supervisorId, { name: "Roof", url: base, tls_fingerprint: second.fingerprint256 });
    expect(await testSupervisorConnection(target(supervisorId))).toMatchObject({ ok: true });
    expect(sentBytes()).toContain(`authorization: Bearer ${TOKEN}`);
  });

  it("a kept-alive connection verified under one pin is never reused under another", async () => {
    // A keep-alive https server (the recorder closes after each answer; this one keeps sockets open).
    const server = createHttpsServer({ cert: first.cert, key: first.key, keepAlive: true }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok", version: "9.9.9" }));
    });
    const connections: number[] = [];
    server.on("connection", () => connections.push(Date.now()));
    await new Promise<void>((resolve) => server.listen(KEEPALIVE_PORT, TLS_HOST, resolve));
    try {
      const url = `https://${TLS_HOST}:${KEEPALIVE_PORT}`;
      const sup = added({ name: "Kept", url, token: TOKEN, tls_fingerprint: first.fingerprint256 });
      expect((await callSupervisor(target(sup.id), "/api/health")).ok).toBe(true);
      expect((await callSupervisor(target(sup.id), "/api/health")).ok).toBe(true);
      expect(connections).toHaveLength(1); // the verified connection was reused
      updateSupervisor(db, sup.id, { name: "Kept", url, tls_fingerprint: second.fingerprint256 });
      expect(await callSupervisor(target(sup.id), "/api/health")).toMatchObject({
        code: "certificate_changed",
      });
      await expect.poll(() => connections.length).toBe(2); // a new connection, checked against the new pin
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("an unpinned https supervisor whose certificate a trusted CA vouches for works normally", async () => {
    await restartPeer(first);
    const caFile = join(tempDir("tls-ca"), "ca.pem");
    writeFileSync(caFile, first.cert);
    // A separate process whose CA store holds the certificate (the test process's store cannot change).
    const child = await startProcess(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "apps/designer/test/integration/fixtures/call-health.ts"),
        JSON.stringify({ name: "CA", url: base, token: TOKEN, tls_fingerprint: null }),
      ],
      {
        name: "ca-client",
        cwd: join(REPO_ROOT, "apps/designer"),
        env: { NODE_EXTRA_CA_CERTS: caFile },
        ready: /RESULT /,
      },
    );
    const line = child.output().match(/RESULT (.*)/)?.[1] ?? "{}";
    await child.stop();
    expect(JSON.parse(line)).toEqual({ ok: true, body: { status: "ok", version: "9.9.9" } });
    expect(sentBytes()).toContain("GET /api/health HTTP/1.1");
  });
});
