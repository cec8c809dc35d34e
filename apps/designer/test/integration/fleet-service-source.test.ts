import { join } from "node:path";
import {
  eventually,
  type FleetHandle,
  type MosquittoHandle,
  type PostgresHandle,
  type SupervisorHandle,
  startFleetService,
  startMosquitto,
  startPostgres,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/lib/db/client";
import { setTags } from "../../src/lib/db/supervisor-tags-repository";
import { createSupervisor } from "../../src/lib/db/supervisors-repository";
import { fleetStatus } from "../../src/lib/fleet/fleet-status";

// 127.0.67.20-22, MQTT 18867, PostgreSQL 25467 and BACnet port 47835 belong to this file.
const HOST = "127.0.67.20";
const SUP_HOST = "127.0.67.21";
const LONE_HOST = "127.0.67.22";
const MQTT_PORT = 18867;
const PG_PORT = 25467;
const BACNET_PORT = 47835;
const HOST_ID = "fleet-console-it";

/**
 * The fleet console fed by the fleet service: a real supervisor publishes Sparkplug B to a real mosquitto,
 * apps/fleet ingests it into a real PostgreSQL, and the Designer's grid reads the fleet service, matching
 * its edge nodes to registered supervisors by name. A registered supervisor the broker never heard of
 * is still shown, polled directly.
 */
describe("the fleet console fed by the fleet service", () => {
  let pg: PostgresHandle;
  let broker: MosquittoHandle;
  let fleet: FleetHandle;
  let sup: SupervisorHandle;
  let lone: SupervisorHandle;
  let db: Database.Database;
  let registeredId = "";

  beforeAll(async () => {
    pg = await startPostgres({ host: HOST, port: PG_PORT });
    broker = await startMosquitto({ host: HOST, port: MQTT_PORT });
    fleet = await startFleetService({ mqttUrl: broker.url, pgUrl: pg.url, hostId: HOST_ID });
    sup = await startSupervisor({
      bacnetBind: SUP_HOST,
      bacnetPort: BACNET_PORT,
      broadcast: "127.0.67.255",
      publicRead: false,
      env: { BMS_SPARKPLUG_HEALTH_MS: "1000" },
      extraArgs: [
        "--sparkplug-url",
        `mqtt://${HOST}:${MQTT_PORT}`,
        "--name",
        "ahu-east",
        "--site",
        "Building A",
        "--sparkplug-host-id",
        HOST_ID,
      ],
    });
    lone = await startSupervisor({
      bacnetBind: LONE_HOST,
      bacnetPort: BACNET_PORT,
      broadcast: "127.0.67.255",
      publicRead: false,
      extraArgs: ["--http-host", LONE_HOST, "--allowed-hosts", LONE_HOST],
    });
    db = openDatabase(join(tempDir("designer-fleet-source"), "projects.db"));
    // The registry's name is the supervisor's --name (its Sparkplug edge node id), in another case.
    const saved = createSupervisor(db, { name: "AHU-East", url: sup.url, token: sup.token });
    if (!saved.ok) throw new Error(JSON.stringify(saved));
    registeredId = saved.target.id;
    setTags(db, registeredId, ["Building A"]);
    const other = createSupervisor(db, { name: "Not on the broker", url: lone.url, token: lone.token });
    if (!other.ok) throw new Error(JSON.stringify(other));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sup?.stop(), lone?.stop()]);
    await fleet?.stop();
    await broker?.stop();
    await pg?.stop();
    db?.close();
  });

  it("shows the fleet service's view, joined to the registry, and polls the supervisors it has not heard of", async () => {
    const view = await eventually(async () => {
      const v = await fleetStatus(db, { url: fleet.url, token: fleet.token });
      const row = v.rows.find((r) => r.name === "AHU-East");
      return row?.status === "online" && row.config_version !== undefined ? v : undefined;
    }, 30_000);
    expect(view.source).toBe("fleet-service");
    expect(view.source_error).toBeNull();
    expect(view.rows.find((r) => r.name === "AHU-East")).toMatchObject({
      id: registeredId,
      url: sup.url,
      tags: ["Building A"],
      reachable: true,
      status: "online",
      site: "Building A",
      alarms_open: 0,
      // The fleet service does not carry these yet.
      scans: null,
      bad_points: null,
    });
    expect(view.rows.find((r) => r.name === "AHU-East")?.version).toMatch(/^\d+\.\d+\.\d+/);
    // Registered, but silent on the broker: polled directly, with the counters only a direct poll has.
    expect(view.rows.find((r) => r.name === "Not on the broker")).toMatchObject({
      reachable: true,
      status: "ok",
      scans: 0,
      bad_points: 0,
    });
    expect(view.rows.find((r) => r.name === "Local supervisor")).toMatchObject({
      reachable: false,
      status: "unreachable",
    });
  });

  it("falls back to direct polls, and says why, when the fleet service does not answer", async () => {
    const view = await fleetStatus(db, { url: "http://127.0.67.23:9", token: fleet.token });
    expect(view.source).toBe("direct");
    expect(view.source_error).toMatch(/unreachable/);
    expect(view.rows.find((r) => r.name === "AHU-East")).toMatchObject({ reachable: true, status: "ok" });
  });
});
