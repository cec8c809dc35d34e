import { join } from "node:path";
import { tempDir } from "@bms/test-support";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MemoryPointIO, memoryPluginModule } from "../../../test/memory-plugin";
import { buildApp } from "../../app";

// Routes over `app.inject`: an in-memory protocol (a test double of a third-party plugin) instead of
// the built-in BACnet one, a real SQLite file handed in as storage, and a fixed clock. No socket opens.
const TOKEN = "inject-route-test-token-0123456789abcdef";
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

describe("routes over injected plugins, storage and clock", () => {
  let app: FastifyInstance;
  let db: Database.Database;
  let mem: MemoryPointIO;

  beforeAll(async () => {
    const dataDir = tempDir("inject-routes");
    db = new Database(join(dataDir, "injected.db"));
    const module = memoryPluginModule("mem");
    app = await buildApp({
      httpPort: 0,
      httpHost: "127.0.0.1",
      dataDir,
      bacnetBind: "127.0.40.1",
      bacnetPort: 0,
      broadcast: "127.255.255.255:47899",
      logLevel: "warn",
      token: TOKEN,
      execute: false,
      requestTimeoutMs: 500,
      retries: 0,
      perDeviceConcurrency: 1,
      historyRetentionHours: 1,
      historyMinIntervalMs: 1000,
      discoverOnStart: false,
      plugins: [module],
      storage: db,
      now: () => NOW,
    });
    await app.ready();
    mem = module.instances[0]!;
    mem.values.set("zone1/temp", 21.5);
  });

  afterAll(async () => {
    await app?.close();
    db?.close();
  });

  const get = (url: string) =>
    app.inject({ method: "GET", url, headers: { authorization: `Bearer ${TOKEN}` } });
  const post = (url: string, payload: Record<string, unknown>) =>
    app.inject({ method: "POST", url, payload, headers: { authorization: `Bearer ${TOKEN}` } });

  it("lists the injected plugin with its health, and nothing else (no BACnet socket was opened)", async () => {
    const res = await get("/api/plugins");
    expect(res.statusCode).toBe(200);
    const { plugins } = res.json() as { plugins: { name: string; protocol: string; health: unknown }[] };
    expect(plugins).toEqual([
      expect.objectContaining({
        name: "test-mem",
        protocol: "mem",
        version: "0.0.1",
        health: {
          protocol: "mem",
          state: "ok",
          connections: 1,
          errors: 0,
          last_message_at: null,
          last_error: null,
        },
      }),
    ]);
  });

  it("reads through the registry in the caller's order, with codes where no plugin serves a ref", async () => {
    const res = await post("/api/points/read", {
      points: ["mem:zone1/temp", "bacnet:1/analogInput:1", "mem:missing/x"],
    });
    expect(res.statusCode).toBe(200);
    const { values } = res.json() as { values: Record<string, unknown>[] };
    expect(values).toEqual([
      { point: "mem:zone1/temp", value: 21.5, quality: "good", timestamp: new Date(NOW).toISOString() },
      expect.objectContaining({
        point: "bacnet:1/analogInput:1.presentValue",
        quality: "bad",
        code: "no_plugin",
      }),
      expect.objectContaining({ point: "mem:missing/x", quality: "bad", code: "device_error" }),
    ]);
  });

  it("writes through the registry, audits it, and reports a refusal with its code", async () => {
    const res = await post("/api/points/write", {
      writes: [
        { point: "mem:zone1/setpoint", value: 22 },
        { point: "mem:readonly/q", value: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      results: [
        { point: "mem:zone1/setpoint", ok: true, priority: 16, value: 22 },
        { point: "mem:readonly/q", ok: false, error: "read-only", code: "write_denied" },
      ],
    });
    expect(mem.values.get("zone1/setpoint")).toBe(22);
    const audit = (await get("/api/audit?action=point.write")).json() as {
      records: { action: string; result: string; details: { writes: { point: string }[] } }[];
    };
    expect(audit.records[0]).toMatchObject({ action: "point.write", result: "failed" });
    expect(audit.records[0]!.details.writes.map((w) => w.point)).toEqual([
      "mem:zone1/setpoint",
      "mem:readonly/q",
    ]);
  });

  it("browses the plugin, and answers 404 for a protocol nobody serves", async () => {
    const res = await get("/api/plugins/mem/browse");
    expect(res.statusCode).toBe(200);
    const refs = (res.json() as { entries: { ref: string }[] }).entries.map((e) => e.ref);
    expect(refs).toContain("mem:zone1/temp");
    expect((await get("/api/plugins/modbus/browse")).statusCode).toBe(404);
  });

  it("keeps BACnet-only routes honest without BACnet: no priority array, metrics still answer", async () => {
    const priority = await get("/api/points/priority?point=bacnet:1/analogOutput:1");
    expect(priority.statusCode).toBe(422);
    const metrics = await get("/api/monitoring/metrics");
    expect(metrics.statusCode).toBe(200);
    expect((metrics.json() as { bacnet: { devices_known: number } }).bacnet.devices_known).toBe(0);
    expect((await get("/api/devices/discovery")).statusCode).toBe(503);
  });

  it("shows a plugin that throws as degraded, while reads of it answer plugin_error", async () => {
    const before = ((await get("/api/plugins")).json() as { plugins: { health: { errors: number } }[] })
      .plugins[0]!.health.errors;
    mem.throwOnRead = true;
    try {
      const { values } = (await post("/api/points/read", { points: ["mem:zone1/temp"] })).json() as {
        values: { quality: string; code: string }[];
      };
      expect(values[0]).toMatchObject({ quality: "bad", code: "plugin_error" });
      const { plugins } = (await get("/api/plugins")).json() as {
        plugins: { health: { state: string; errors: number; last_error: string } }[];
      };
      expect(plugins[0]!.health).toMatchObject({ state: "degraded", errors: before + 1 });
      expect(plugins[0]!.health.last_error).toContain("told to fail");
    } finally {
      mem.throwOnRead = false;
    }
  });
});
