// A hostile script node (`while (true) {}`) runs every scan beside a normal flow path, on a real
// supervisor with a real simulator. For ten seconds the API is asked for /api/health over and over and
// the simulator is read over BACnet through the API: the script, evaluated in a worker thread with a
// 100 ms budget, must not hold any of it up, and the flow's other nodes must keep producing good values.
import { randomUUID } from "node:crypto";
import type { ExecutionStateResponse, FlowConfigurationInput } from "@bms/schemas";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../fixtures";

// Own addresses and ports: integration files run in parallel.
const SIM_BIND = "127.0.9.2";
const SIM_PORT = 47890;
const SUP_PORT = 47891;

const BUDGET_MS = 100;
const MEASURE_MS = 10_000;
const TEMP = "bacnet:1001/analogInput:1";

function hostileFlow(): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: randomUUID(),
      flow_name: "Hostile script beside a normal path",
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval", interval_ms: 250 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    },
    nodes: [
      { id: "temp", type: "sensor_read", position: { x: 0, y: 0 }, config: { point: TEMP } },
      { id: "double", type: "math", position: { x: 250, y: 0 }, config: { expression: "a * 2" } },
      {
        id: "hostile",
        type: "script",
        position: { x: 250, y: 150 },
        config: { code: "while (true) {}", timeout_ms: BUDGET_MS },
      },
      {
        id: "plus_one",
        type: "script",
        position: { x: 500, y: 0 },
        config: { code: "return inputs.in1 + 1;", timeout_ms: BUDGET_MS },
      },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "double", to_input: "a" },
      { from_node: "temp", from_output: "value", to_node: "hostile", to_input: "in1" },
      { from_node: "double", from_output: "result", to_node: "plus_one", to_input: "in1" },
    ],
  };
}

interface Port {
  value: unknown;
  quality: string;
  reason?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe("script sandbox: a runaway script does not hold up the API, BACnet or the rest of its flow", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      env: { BMS_SCRIPT_WORKERS: "2" },
    });
    const found = await api<{ devices: { device_id: number }[] }>(
      sup.url,
      "/api/devices/discover?wait=true",
      {
        body: { timeout_ms: 1500 },
        token: sup.token,
      },
    );
    expect(found.body.devices.map((d) => d.device_id)).toContain(1001);
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  async function state(): Promise<ExecutionStateResponse> {
    return (await api<ExecutionStateResponse>(sup.url, "/api/execution/state", { token: sup.token })).body;
  }

  function port(s: ExecutionStateResponse, nodeId: string, name: string): Port | undefined {
    const node = s.node_statuses.find((n) => n.node_id === nodeId);
    return node?.output_values?.[name] as Port | undefined;
  }

  it("keeps /api/health fast and BACnet reads working for 10 s while the script spins every scan", async () => {
    const deploy = await api(sup.url, "/api/config/deploy", {
      body: packageOf(hostileFlow()),
      token: sup.token,
    });
    expect(deploy.status).toBe(200);
    // Running, with the hostile script already failing on its budget.
    const before = await eventually(async () => {
      const s = await state();
      return port(s, "hostile", "out1")?.reason?.includes("time budget") ? s : undefined;
    });

    const health: number[] = [];
    const reads: { ms: number; quality: string; value: unknown }[] = [];
    const until = performance.now() + MEASURE_MS;
    const askHealth = async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const { status } = await api(sup.url, "/api/health", { token: sup.token });
        health.push(performance.now() - started);
        expect(status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const readBacnet = async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const { body } = await api<{ values: { value: unknown; quality: string }[] }>(
          sup.url,
          "/api/points/read",
          { body: { points: [TEMP] }, token: sup.token },
        );
        reads.push({
          ms: performance.now() - started,
          quality: body.values[0]!.quality,
          value: body.values[0]!.value,
        });
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    await Promise.all([askHealth(), readBacnet()]);
    const after = await state();

    const sorted = [...health].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const max = sorted[sorted.length - 1]!;
    const scans = after.scan - before.scan;
    const readMax = Math.max(...reads.map((r) => r.ms));
    console.log(
      `[script-sandbox] /api/health over ${MEASURE_MS / 1000} s: ${health.length} requests, ` +
        `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `BACnet reads through the API: ${reads.length}, max ${readMax.toFixed(1)} ms; ` +
        `scans meanwhile: ${scans} (hostile node ${BUDGET_MS} ms budget each)`,
    );

    // The API never waited for the script. (Evaluated on the main thread instead, the same run measured
    // p99 101 ms and max 103 ms: a request that lands while the script spins waits out its budget. The
    // max bound alone would not tell the two apart; the p99 bound does. It is three quarters of the
    // budget: a merged-main integration tier beside other engineers' jobs, load 4-5, measured p99 54 ms
    // with the script in its worker, 2026-12-02; alone the file passes far under it.)
    expect(health.length).toBeGreaterThan(200);
    expect(max).toBeLessThan(BUDGET_MS + 150);
    expect(p99).toBeLessThan(BUDGET_MS * 0.75);
    // BACnet kept answering, with good values.
    expect(reads.length).toBeGreaterThan(20);
    for (const read of reads) {
      expect(read.quality).toBe("good");
      expect(typeof read.value).toBe("number");
    }
    expect(readMax).toBeLessThan(BUDGET_MS + 150);

    // The flow kept scanning (a 250 ms period with a 100 ms script: ~3 scans a second), and every scan's
    // other nodes produced good values while the hostile node failed on its budget.
    expect(scans).toBeGreaterThan(20);
    const temp = port(after, "temp", "value")!;
    expect(temp.quality).toBe("good");
    expect(port(after, "double", "result")).toMatchObject({
      value: (temp.value as number) * 2,
      quality: "good",
    });
    expect(port(after, "plus_one", "out1")).toMatchObject({
      value: (temp.value as number) * 2 + 1,
      quality: "good",
    });
    expect(port(after, "hostile", "out1")).toMatchObject({ value: null, quality: "bad" });
    expect(port(after, "hostile", "out1")?.reason).toBe("hostile: script exceeded its time budget");
    const hostile = after.node_statuses.find((n) => n.node_id === "hostile")!;
    expect(hostile.status).toBe("error");
    // Ended at its budget: not before, and not much after (the worker's interrupt, not the watchdog).
    expect(hostile.execution_duration_ms).toBeGreaterThanOrEqual(BUDGET_MS - 1);
    expect(hostile.execution_duration_ms).toBeLessThan(BUDGET_MS + 150);
  });
});
