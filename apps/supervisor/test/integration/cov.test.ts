import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";
import { packageOf, skeletonFlow } from "../fixtures";

const SIM_BIND = "127.0.0.14";
const SIM_PORT = 47843;
const SUP_PORT = 47844;
const PROBE_PORT = 47845;

interface Status {
  execution_count: number;
  cov: { ref: string; mode: string; reason?: string }[];
}

describe("on_change flows run on COV", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  const override = (value: number | null) =>
    api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value } });
  const status = async () => (await api<Status>(sup.url, "/api/execution/status")).body;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
    probe = await openProbe("127.0.0.1", PROBE_PORT);
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("subscribes the inputs and scans when a notification reports a change, not on a timer", async () => {
    await override(22);
    const flow = skeletonFlow({ limit: 24.5, priority: 8 });
    flow.execution = {
      trigger: { type: "on_change", points: [], debounce_ms: 50, max_interval_ms: 60_000 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    };
    const deployed = await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token });
    expect(deployed.status).toBe(200);

    const subscribed = await eventually(async () => {
      const s = await status();
      return s.cov.length === 1 && s.cov[0]?.mode === "cov" && s.execution_count >= 1 ? s : undefined;
    });
    expect(subscribed.cov[0]?.ref).toBe("bacnet:1001/analogInput:1.presentValue");

    // No change, no scan: the value is pinned by the override.
    const quiet = (await status()).execution_count;
    await new Promise((r) => setTimeout(r, 2000));
    expect((await status()).execution_count - quiet).toBeLessThanOrEqual(1);

    const before = (await status()).execution_count;
    const changedAt = Date.now();
    await override(26);
    await eventually(async () => {
      const value = (await probe.read(`${SIM_BIND}:${SIM_PORT}`, 4, 1, 85))[0];
      return value === 1 ? true : undefined;
    }, 5000);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    expect((await status()).execution_count).toBeGreaterThan(before);
    await override(null);
  });
});
