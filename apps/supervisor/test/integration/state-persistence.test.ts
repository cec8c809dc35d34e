import { join } from "node:path";
import type { FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../fixtures";

// 127.0.77.0/24 is this file's: the simulator and the supervisor's BACnet side.
const SIM_BIND = "127.0.77.1";
const SIM_PORT = 47871;
const SUP_BIND = "127.0.77.2";
const SUP_PORT = 47872;
const SCAN_MS = 500;
const SAVE_INTERVAL_S = 3;

/**
 * A latch (on-change state) on the zone temperature, and a math node (periodic state: its `last`) fed
 * the scan time by a trigger, so its state changes every scan, as a PID integral or a filter does.
 */
function stateFlow(): FlowConfigurationInput {
  const flow = skeletonFlow({ limit: 25, intervalMs: SCAN_MS, name: "State persistence" });
  flow.nodes = [
    { id: "temp", type: "sensor_read", config: { point: "bacnet:1001/analogInput:1" } },
    { id: "hot", type: "threshold", config: { operator: ">", value: 25 } },
    { id: "cold", type: "threshold", config: { operator: "<", value: 15 } },
    { id: "memory", type: "latch", config: { dominant: "reset" } },
    { id: "clock", type: "trigger", config: {} },
    { id: "tick", type: "math", config: { expression: "a" } },
  ];
  flow.connections = [
    { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
    { from_node: "temp", from_output: "value", to_node: "cold", to_input: "value" },
    { from_node: "hot", from_output: "result", to_node: "memory", to_input: "set" },
    { from_node: "cold", from_output: "result", to_node: "memory", to_input: "reset" },
    { from_node: "clock", from_output: "now", to_node: "tick", to_input: "a" },
  ];
  return flow;
}

interface Row {
  node_id: string;
  updated_at: number;
  state: Record<string, unknown>;
}

describe("node state persistence: on-change state every scan that changes it, periodic state on an interval", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const dataDir = tempDir("state-persistence");
  const flow = stateFlow();
  const flowId = flow.metadata.flow_id;
  const override = (value: number | null) =>
    api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value } });

  /** What runtime.db holds now, read as a second process would (the supervisor keeps writing). */
  const onDisk = (): Map<string, Row> => {
    const db = new Database(join(dataDir, "runtime.db"), { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare("SELECT node_id, state_json, updated_at FROM node_state WHERE flow_id = ?")
        .all(flowId) as { node_id: string; state_json: string; updated_at: number }[];
      return new Map(
        rows.map((r) => [
          r.node_id,
          {
            node_id: r.node_id,
            updated_at: r.updated_at,
            state: (JSON.parse(r.state_json) as { state: Record<string, unknown> }).state,
          },
        ]),
      );
    } finally {
      db.close();
    }
  };
  const output = async (nodeId: string, port: string) => {
    const { body } = await api<{
      node_statuses: { node_id: string; output_values: Record<string, { value: unknown }> }[];
    }>(sup.url, "/api/execution/state");
    return body.node_statuses.find((n) => n.node_id === nodeId)?.output_values[port]?.value;
  };

  const lastScanAt = async () => {
    const { body } = await api<{ last_scan_at: string | null }>(sup.url, "/api/execution/state");
    return Date.parse(body.last_scan_at ?? "");
  };

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      dataDir,
      extraArgs: ["--state-save-interval", String(SAVE_INTERVAL_S)],
    });
    await override(20);
    const deployed = await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await eventually(async () => ((await output("tick", "result")) === undefined ? undefined : true));
  });

  afterAll(async () => {
    await sup?.stop();
    await override(null).catch(() => undefined);
    await sim?.stop();
  });

  it("writes a latch within one scan, and the every-scan math state at most every interval", async () => {
    const writes = new Set<number>();
    const lags: number[] = [];
    let latchedAt: number | undefined;
    let latchOnDiskAt: number | undefined;
    const started = Date.now();
    const window = (SAVE_INTERVAL_S * 2 + 1.5) * 1000;
    while (Date.now() - started < window) {
      if (latchedAt === undefined && Date.now() - started > 1000) {
        await override(26);
        latchedAt = Date.now();
      }
      const rows = onDisk();
      const tick = rows.get("tick");
      if (tick) {
        writes.add(tick.updated_at);
        // How far behind the disk is: the scan time math last saw against now.
        lags.push(Date.now() - Number(tick.state.last));
      }
      if (latchedAt !== undefined && latchOnDiskAt === undefined && rows.get("memory")?.state.q === true)
        latchOnDiskAt = Date.now();
      await new Promise((r) => setTimeout(r, 100));
    }
    // On-change: the latch was on disk within a read of the temperature plus a scan (not an interval).
    expect(latchOnDiskAt, "latch never reached the disk").toBeDefined();
    expect(latchOnDiskAt! - latchedAt!).toBeLessThan(SCAN_MS * 3);
    // Periodic: a 500 ms scan changes math's state 15 times in this window; it was written every 3 s.
    const times = [...writes].sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(SAVE_INTERVAL_S * 1000 - 100);
    // And it was never older on disk than the interval plus a scan (and this poll's own slack).
    expect(Math.max(...lags)).toBeLessThan(SAVE_INTERVAL_S * 1000 + SCAN_MS + 700);
  });

  /** Waits for a periodic write, then three scans more: the disk is then 1.5 s behind unless saved again. */
  const justAfterPeriodicWrite = async () => {
    const seen = onDisk().get("tick")?.updated_at;
    await eventually(() => (onDisk().get("tick")?.updated_at !== seen ? true : undefined), 10_000, 50);
    await new Promise((r) => setTimeout(r, SCAN_MS * 3));
  };

  it("writes periodic state when the flow stops, and again on a clean shutdown", async () => {
    await justAfterPeriodicWrite();
    const stopped = await api(sup.url, "/api/execution/stop", { body: {}, token: sup.token });
    expect(stopped.status).toBe(200);
    // The disk holds the last scan's state (its scan time is a little before the scan was recorded as
    // done), not the periodic write of three scans before. Measured against the engine's own last scan,
    // so a scan delayed by a loaded machine is not mistaken for a missing save.
    const lastScan = await lastScanAt();
    const lag = lastScan - Number(onDisk().get("tick")?.state.last);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(SCAN_MS - 100);

    const startedAgain = await api(sup.url, "/api/execution/start", { body: {}, token: sup.token });
    expect(startedAgain.status).toBe(200);
    await justAfterPeriodicWrite();
    const seenBeforeShutdown = await lastScanAt();
    await sup.stop();
    // SIGTERM: the last scan's periodic state is written before the database closes: at least as new as
    // the last scan seen before the signal, where the periodic write is three scans older.
    expect(Number(onDisk().get("tick")?.state.last)).toBeGreaterThan(seenBeforeShutdown - (SCAN_MS - 100));
    expect(onDisk().get("memory")?.state.q).toBe(true);
  });
});
