import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../fixtures";

// The address @bacnet-js/client silently ignores service requests from (I-Am, COV notifications):
// the supervisor's own transport must make it work like any other.
const SIM_BIND = "127.0.0.1";
const SIM_PORT = 47808;
const SUP_PORT = 47856;

describe("a device at 127.0.0.1:47808", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("is discovered (its I-Am is not dropped) and read", async () => {
    const { body } = await api<{ devices: { device_id: number; address: string }[] }>(
      sup.url,
      "/api/devices/discover?wait=true",
      { body: { timeout_ms: 1500 }, token: sup.token },
    );
    expect(body.devices).toContainEqual(
      expect.objectContaining({ device_id: 1001, address: "127.0.0.1:47808" }),
    );
    const read = await api<{ values: { quality: string; value: unknown }[] }>(sup.url, "/api/points/read", {
      body: { points: ["bacnet:1001/analogInput:1"] },
    });
    expect(read.body.values[0]?.quality).toBe("good");
  });

  it("delivers its COV notifications to an on_change flow", async () => {
    const override = (value: number | null) =>
      api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value } });
    await override(22);
    const flow = skeletonFlow({ limit: 24.5, priority: 8 });
    flow.execution = {
      trigger: { type: "on_change", points: [], debounce_ms: 50, max_interval_ms: 60_000 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    };
    expect(
      (await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token })).status,
    ).toBe(200);
    await eventually(async () => {
      const { body } = await api<{ cov: { mode: string }[] }>(sup.url, "/api/execution/status");
      return body.cov[0]?.mode === "cov" ? true : undefined;
    });
    await override(26);
    await eventually(async () => {
      const { body } = await api<{ values: { value: unknown }[] }>(sup.url, "/api/points/read", {
        body: { points: ["bacnet:1001/binaryOutput:1.priorityArray[8]"] },
      });
      return body.values[0]?.value === true ? true : undefined;
    }, 5000);
    await api(sup.url, "/api/execution/stop", { body: {}, token: sup.token });
    await override(null);
  });
});
