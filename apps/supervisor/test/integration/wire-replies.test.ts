import type { BACNetObjectID, BACNetPropertyID } from "@bacnet-js/client";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDevice, startFakeDevice } from "../fake-device";
import { packageOf, skeletonFlow } from "../fixtures";

// 127.0.10.x and 47866-47869 belong to this file.
const SIM = { bind: "127.0.10.2", port: 47866 };
const SUP_PORT = 47867;
const ATTACKER = { bind: "127.0.10.50", port: 47868 };
const COV_DEVICE = { bind: "127.0.10.3", port: 47869 };
const SUPERVISOR = `127.0.0.1:${SUP_PORT}`;
const AI1 = { type: 0, instance: 1 };
const AI2 = { type: 0, instance: 2 };
const COV_POINT = "bacnet:2001/analogInput:1";

interface Metrics {
  bacnet: { wire: Record<string, number> };
}
interface Logs {
  logs: { source: string; message: string; data?: Record<string, unknown> }[];
}

describe("what the supervisor accepts from the wire", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let attacker: FakeDevice;
  let covDevice: FakeDevice;

  const wire = async () => (await api<Metrics>(sup.url, "/api/monitoring/metrics")).body.bacnet.wire;
  const messages = async () =>
    (await api<Logs>(sup.url, "/api/execution/logs?limit=500")).body.logs
      .filter((l) => l.source === "bacnet")
      .map((l) => l.message);

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM.bind, port: SIM.port, site: "skeleton" });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM.port}` });
    // The attacker claims to be device 2001 too, but from its own address.
    [attacker, covDevice] = await Promise.all([
      startFakeDevice({ instance: 2001, ...ATTACKER }),
      startFakeDevice({ instance: 2001, ...COV_DEVICE }),
    ]);
    await eventually(async () => {
      const { body } = await api<{ devices: { device_id: number }[] }>(sup.url, "/api/devices");
      return body.devices.some((d) => d.device_id === 1001) ? true : undefined;
    });
  });

  afterAll(async () => {
    attacker?.close();
    covDevice?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("ignores a reply from another address, even with the right invoke id, and takes the device's", async () => {
    await api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value: 21.5 } });
    // The real device answers after 1.2 s (the supervisor's timeout is 2 s): plenty of time to forge.
    await api(sim.webUrl, "/api/devices/1001/faults", { body: { slow_ms: 1200 } });
    const before = await wire();
    const started = Date.now();
    const reading = api<{ values: { value: unknown; quality: string }[] }>(sup.url, "/api/points/read", {
      body: { points: ["bacnet:1001/analogInput:1"] },
    });
    await new Promise((r) => setTimeout(r, 300));
    // A ReadProperty-ACK for analogInput:1 presentValue = 999 with every possible invoke id, so one of
    // them is the id of the read in flight. Encoded by the library: well-formed BACnet.
    for (let invokeId = 0; invokeId < 256; invokeId++) {
      attacker.client.readPropertyResponse(
        { address: SUPERVISOR },
        invokeId,
        AI1 as BACNetObjectID,
        { id: 85 } as BACNetPropertyID,
        [{ type: 4, value: 999 }],
      );
    }
    const { body } = await reading;
    expect(body.values[0]).toMatchObject({ value: 21.5, quality: "good" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);

    const after = await wire();
    const foreign = (after.replies_foreign ?? 0) - (before.replies_foreign ?? 0);
    const unsolicited = (after.replies_unsolicited ?? 0) - (before.replies_unsolicited ?? 0);
    // The read's own invoke id was among them: at least that one came from the wrong address.
    expect(foreign).toBeGreaterThanOrEqual(1);
    expect(foreign + unsolicited).toBe(256);
    expect(await messages()).toContain("a reply from an address the request was not sent to was dropped");

    await api(sim.webUrl, "/api/reset", { body: {} });
  });

  it("uses a COV notification only from the subscribed device, with our process id, for our object", async () => {
    covDevice.set(AI1, 20);
    covDevice.announce(SUPERVISOR);
    await eventually(async () => {
      const { body } = await api<{ devices: { device_id: number; address: string }[] }>(
        sup.url,
        "/api/devices",
      );
      return body.devices.find((d) => d.device_id === 2001)?.address === covDevice.address ? true : undefined;
    });
    const flow = skeletonFlow({ limit: 50 });
    flow.nodes[0]!.config = { point: COV_POINT };
    flow.execution = {
      trigger: { type: "on_change", points: [], debounce_ms: 20, max_interval_ms: 60_000 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" },
    };
    const deployed = await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token });
    expect(deployed.status).toBe(200);

    const subscription = await eventually(() => covDevice.subscriptions[0]);
    expect(subscription.object).toEqual(AI1);
    expect(subscription.from).toBe(SUPERVISOR);
    const pid = subscription.processId;
    const live = async () => {
      const { body } = await api<{ values: { point: string; value: unknown }[] }>(
        sup.url,
        "/api/points/live",
      );
      return body.values.find((v) => v.point.startsWith(COV_POINT))?.value;
    };
    const dropped = async () => (await wire()).cov_dropped ?? 0;
    await eventually(async () => ((await live()) === 20 ? true : undefined));

    // The real thing works: the value follows the device's notification.
    covDevice.notify(SUPERVISOR, pid, AI1, 30);
    await eventually(async () => ((await live()) === 30 ? true : undefined), 5000);

    // Right sender, wrong process id.
    covDevice.notify(SUPERVISOR, pid + 1, AI1, 99);
    await eventually(async () => ((await dropped()) === 1 ? true : undefined), 5000);
    // Right process id, wrong sender (another host claiming to be device 2001).
    attacker.notify(SUPERVISOR, pid, AI1, 98);
    await eventually(async () => ((await dropped()) === 2 ? true : undefined), 5000);
    // Right sender and process id, an object we did not subscribe to.
    covDevice.notify(SUPERVISOR, pid, AI2, 97);
    await eventually(async () => ((await dropped()) === 3 ? true : undefined), 5000);
    // Give a wrongly accepted notification time to show (a scan follows a change within 20 ms).
    await new Promise((r) => setTimeout(r, 500));
    expect(await live()).toBe(30);

    const logged = await messages();
    expect(logged).toContain("a COV notification was dropped: wrong subscriber process id");
    expect(logged).toContain("a COV notification was dropped: not sent from the subscribed device's address");
    expect(logged).toContain("a COV notification was dropped: no subscription for that object");

    // And the subscription still works after the forgeries.
    covDevice.notify(SUPERVISOR, pid, AI1, 31);
    await eventually(async () => ((await live()) === 31 ? true : undefined), 5000);

    await api(sup.url, "/api/execution/stop", { body: {}, token: sup.token });
  });
});
