import { join } from "node:path";
import type { FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  nodeOutput,
  overrideObject,
  type SimulatorHandle,
  type SupervisorHandle,
  skeletonZoneLatch,
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
  const latch = skeletonZoneLatch();
  flow.nodes = [
    ...latch.nodes,
    { id: "clock", type: "trigger", config: {} },
    { id: "tick", type: "math", config: { expression: "a" } },
  ];
  flow.connections = [
    ...latch.connections,
    { from_node: "clock", from_output: "now", to_node: "tick", to_input: "a" },
  ];
  return flow;
}

interface Row {
  node_id: string;
  updated_at: number;
  state: Record<string, unknown>;
}

/** What runtime.db holds now, read as a second process would (the supervisor may still be writing). */
function nodeStateOnDisk(dataDir: string, flowId: string): Map<string, Row> {
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
}

describe("node state persistence: on-change state every scan that changes it, periodic state on an interval", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const dataDir = tempDir("state-persistence");
  const flow = stateFlow();
  const flowId = flow.metadata.flow_id;
  const override = (value: number | null) => overrideObject(sim, 1001, "analogInput/1", value);

  const onDisk = () => nodeStateOnDisk(dataDir, flowId);
  const output = (nodeId: string, port: string) => nodeOutput(sup, nodeId, port);

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

// 127.0.81.0/24 is this block's: the simulator and the supervisor's BACnet side.
const PLANT_SIM_BIND = "127.0.81.1";
const PLANT_SIM_PORT = 47881;
const PLANT_SUP_BIND = "127.0.81.2";
const PLANT_SUP_PORT = 47882;
const PLANT_SCAN_MS = 250;
const PLANT_SAVE_INTERVAL_S = 4;

/**
 * State that is partly on-change and partly periodic: a sub-flow holding a math node fed the scan time
 * (its state moves every scan) and a latch on the zone temperature (> 25 °C); a totalizer integrating 1
 * unit a second; a sequencer running one pump below 28 °C and two above, which stages down only after an
 * hour, so a restart shows whether its step was kept.
 */
function plantFlow(): FlowConfigurationInput {
  const flow = skeletonFlow({ limit: 25, intervalMs: PLANT_SCAN_MS, name: "Plant state" });
  flow.nodes = [
    { id: "temp", type: "sensor_read", config: { point: "bacnet:1001/analogInput:1" } },
    { id: "clock", type: "trigger", config: {} },
    {
      id: "sub",
      type: "subflow",
      config: {
        input_count: 2,
        flow: {
          nodes: [
            { id: "t", type: "subflow_input", config: { name: "in1" } },
            { id: "tick", type: "math", config: { expression: "a" } },
            { id: "o", type: "subflow_output", config: { name: "out1" } },
            { id: "z", type: "subflow_input", config: { name: "in2" } },
            { id: "hot", type: "threshold", config: { operator: ">", value: 25 } },
            { id: "trip", type: "latch", config: {} },
          ],
          connections: [
            { from_node: "t", from_output: "value", to_node: "tick", to_input: "a" },
            { from_node: "tick", from_output: "result", to_node: "o", to_input: "value" },
            { from_node: "z", from_output: "value", to_node: "hot", to_input: "value" },
            { from_node: "hot", from_output: "result", to_node: "trip", to_input: "set" },
          ],
        },
      },
    },
    { id: "one", type: "constant", config: { value: 1 } },
    { id: "energy", type: "totalizer", config: { rate_per: "second" } },
    { id: "demand", type: "math", config: { expression: "a > 28 ? 2 : 1" } },
    {
      id: "pumps",
      type: "sequencer",
      config: {
        units: 2,
        rotation: "fixed",
        stage_up_delay_s: 0,
        stage_down_delay_s: 3600,
        min_on_s: 0,
        min_off_s: 0,
      },
    },
  ];
  flow.connections = [
    { from_node: "clock", from_output: "now", to_node: "sub", to_input: "in1" },
    { from_node: "temp", from_output: "value", to_node: "sub", to_input: "in2" },
    { from_node: "one", from_output: "value", to_node: "energy", to_input: "rate" },
    { from_node: "temp", from_output: "value", to_node: "demand", to_input: "a" },
    { from_node: "demand", from_output: "result", to_node: "pumps", to_input: "demand" },
  ];
  return flow;
}

describe("node state that is partly on-change: sub-flows, totalizers and sequencers, and kill -9", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const dataDir = tempDir("state-persistence-plant");
  const flow = plantFlow();
  const flowId = flow.metadata.flow_id;
  const onDisk = () => nodeStateOnDisk(dataDir, flowId);
  const override = (value: number | null) => overrideObject(sim, 1001, "analogInput/1", value);
  const startPlantSupervisor = () =>
    startSupervisor({
      bacnetBind: PLANT_SUP_BIND,
      bacnetPort: PLANT_SUP_PORT,
      broadcast: `127.255.255.255:${PLANT_SIM_PORT}`,
      dataDir,
      extraArgs: ["--state-save-interval", String(PLANT_SAVE_INTERVAL_S)],
    });
  /** The saved state of node `id` inside the sub-flow, from the sub-flow node's row. */
  const inner = (row: Row | undefined, id: string) =>
    (row?.state.saved as { node_id: string; state: Record<string, unknown> }[] | undefined)?.find(
      (s) => s.node_id === id,
    )?.state;
  /**
   * Waits for the flow's next periodic write (the totalizer's row moves only then) and returns its time:
   * an on-change save made after it is then alone on disk for the whole interval.
   */
  const periodicWrite = async () => {
    const seen = onDisk().get("energy")?.updated_at;
    await eventually(() => (onDisk().get("energy")?.updated_at !== seen ? true : undefined), 10_000, 50);
    return Date.now();
  };

  beforeAll(async () => {
    sim = await startSimulator({ bind: PLANT_SIM_BIND, port: PLANT_SIM_PORT, site: "skeleton" });
    sup = await startPlantSupervisor();
    await override(20);
    const deployed = await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    // Past the first scans' on-change saves: the first pump started, the total no longer zero.
    await eventually(async () => ((await nodeOutput(sup, "pumps", "running")) === 1 ? true : undefined));
    await eventually(async () => (Number(await nodeOutput(sup, "energy", "total")) > 0 ? true : undefined));
  });

  afterAll(async () => {
    await sup?.stop();
    await override(null).catch(() => undefined);
    await sim?.stop();
  });

  it("writes a sub-flow's math, a running total and run hours at the interval, a latch inside within a scan", async () => {
    // Writes made in the window: the row's updated_at moving from what it was when the window opened
    // (the first scan's on-change save is older and need not be an interval before the first periodic one).
    const before = onDisk();
    const writes = new Map<string, Set<number>>(
      ["sub", "energy", "pumps"].map((id) => [id, new Set<number>()]),
    );
    const started = Date.now();
    while (Date.now() - started < (PLANT_SAVE_INTERVAL_S * 2 + 1.5) * 1000) {
      const rows = onDisk();
      for (const [id, times] of writes) {
        const at = rows.get(id)?.updated_at;
        if (at !== undefined && at !== before.get(id)?.updated_at) times.add(at);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // 38 scans in the window, each moving the math inside, the total and the run hours; they were written
    // at each interval: 2 or 3 writes in 9.5 s, never closer than the interval.
    const counts = JSON.stringify(Object.fromEntries([...writes].map(([id, times]) => [id, [...times]])));
    for (const [id, written] of writes) {
      expect(written.size, `${id}: ${counts}`).toBeGreaterThanOrEqual(2);
      expect(written.size, `${id}: ${counts}`).toBeLessThanOrEqual(3);
      const times = [...written].sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++)
        expect(times[i]! - times[i - 1]!, `${id}: ${counts}`).toBeGreaterThanOrEqual(
          PLANT_SAVE_INTERVAL_S * 1000 - 100,
        );
    }

    // The latch inside the sub-flow is on-change: on disk within a read of the temperature and a scan,
    // though the sub-flow's periodic part is not due for another interval.
    const periodicAt = await periodicWrite();
    await override(26);
    const latchedAt = Date.now();
    await eventually(() => (inner(onDisk().get("sub"), "trip")?.q === true ? true : undefined), 10_000, 50);
    const onDiskAt = Date.now();
    expect(onDiskAt - latchedAt).toBeLessThan(PLANT_SCAN_MS * 6);
    expect(onDiskAt - periodicAt).toBeLessThan(PLANT_SAVE_INTERVAL_S * 1000);
  });

  it("keeps the total to within the interval, and the sequencer's step, through kill -9", async () => {
    // A change of step just after a periodic write reaches the disk only by its own on-change save.
    const periodicAt = await periodicWrite();
    expect(onDisk().get("pumps")?.state.target).toBe(1);
    await override(30);
    await eventually(
      async () => ((await nodeOutput(sup, "pumps", "running")) === 2 ? true : undefined),
      10_000,
      50,
    );
    const total = Number(await nodeOutput(sup, "energy", "total"));
    const killedAt = Date.now();
    sup.child.kill("SIGKILL");
    await sup.stop();
    // Killed before the next periodic write, or this test would not tell the two saves apart.
    expect(killedAt - periodicAt).toBeLessThan(PLANT_SAVE_INTERVAL_S * 1000);

    const rows = onDisk();
    expect(rows.get("pumps")?.state).toMatchObject({
      target: 2,
      on: [true, true, false, false, false, false, false, false],
    });
    // The total grows 1 a second and is written every 4 s: at most the interval (and the scan in flight)
    // is lost, however long it has run.
    const saved = Number(rows.get("energy")?.state.total);
    expect(total).toBeGreaterThan(PLANT_SAVE_INTERVAL_S * 3);
    expect(total - saved).toBeGreaterThanOrEqual(0);
    expect(total - saved).toBeLessThanOrEqual(PLANT_SAVE_INTERVAL_S + 0.5);

    // The restart resumes from the disk: two pumps still run at 20 °C (stage-down waits an hour), where a
    // lost step would have restarted one.
    await override(20);
    sup = await startPlantSupervisor();
    await eventually(async () =>
      (await nodeOutput(sup, "pumps", "running")) === undefined ? undefined : true,
    );
    expect(await nodeOutput(sup, "pumps", "running")).toBe(2);
    expect(Number(await nodeOutput(sup, "energy", "total"))).toBeGreaterThanOrEqual(saved);
  });
});
