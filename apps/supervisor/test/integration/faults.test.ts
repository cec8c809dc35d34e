import { createSocket } from "node:dgram";
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

const SIM_BIND = "127.0.0.13";
const SIM_PORT = 47839;
const SUP_PORT = 47840;

interface NodeState {
  node_statuses: { node_id: string; output_values: { value?: { quality: string; reason?: string } } }[];
}
interface Metrics {
  bacnet: { requests: number; timeouts: number; retries: number };
}

describe("device faults: quality, backoff and recovery", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  const faults = (body: Record<string, unknown>) => api(sim.webUrl, "/api/devices/1001/faults", { body });
  const sensor = async () => {
    const { body } = await api<NodeState>(sup.url, "/api/execution/state");
    return body.node_statuses.find((n) => n.node_id === "temp")?.output_values.value;
  };
  const deviceStatus = async () => {
    const { body } = await api<{ devices: { device_id: number; status: string; reason?: string }[] }>(
      sup.url,
      "/api/devices",
    );
    return body.devices.find((d) => d.device_id === 1001);
  };
  const requests = async () => (await api<Metrics>(sup.url, "/api/monitoring/metrics")).body.bacnet.requests;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      env: { BMS_BACNET_TIMEOUT_MS: "500", BMS_BACNET_RETRIES: "1" },
    });
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 1000 }, token: sup.token });
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(skeletonFlow({ limit: 40, intervalMs: 300 })),
      token: sup.token,
    });
    expect(deployed.status).toBe(200);
    await eventually(async () => ((await sensor())?.quality === "good" ? true : undefined));
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("an offline device gives bad quality with a reason, is backed off, and recovers by itself", async () => {
    await faults({ offline: true });
    const bad = await eventually(async () => {
      const v = await sensor();
      return v?.quality === "bad" ? v : undefined;
    });
    expect(bad.reason).toMatch(/timeout|offline/);
    const device = await eventually(async () => {
      const d = await deviceStatus();
      return d?.status === "offline" ? d : undefined;
    });
    expect(device.reason).toContain("timeout");

    // Backed off: at 300 ms scans, 3 s of polling without backoff would be ~20 requests.
    const before = await requests();
    await new Promise((r) => setTimeout(r, 3000));
    expect((await requests()) - before).toBeLessThanOrEqual(4);

    await faults({ offline: false });
    await eventually(async () => ((await sensor())?.quality === "good" ? true : undefined), 30_000);
    expect((await deviceStatus())?.status).toBe("online");
  });

  it("a slow device (slower than the timeout) goes bad, then recovers when it speeds up", async () => {
    await faults({ slow_ms: 1500 });
    await eventually(async () => ((await sensor())?.quality === "bad" ? true : undefined));
    await faults({ slow_ms: 0 });
    await eventually(async () => ((await sensor())?.quality === "good" ? true : undefined), 30_000);
  });

  it("an erroring device stays online; the error is the reason", async () => {
    await faults({ erroring: true });
    const bad = await eventually(async () => {
      const v = await sensor();
      return v?.quality === "bad" ? v : undefined;
    });
    expect(bad.reason).not.toMatch(/timeout/);
    expect((await deviceStatus())?.status).toBe("online");
    await faults({ erroring: false });
    await eventually(async () => ((await sensor())?.quality === "good" ? true : undefined));
  });

  it("garbage on the supervisor's BACnet port does not crash it", async () => {
    const socket = createSocket("udp4");
    const payloads = [
      Buffer.alloc(0),
      Buffer.from([0x81]),
      Buffer.from([0x81, 0x0a, 0x00, 0x04]),
      Buffer.from([0x81, 0x0a, 0xff, 0xff, 0x01, 0x00, 0x30]),
      Buffer.from([0x81, 0x0b, 0x00, 0x0c, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x00]),
      Buffer.alloc(1600, 0x81),
    ];
    for (let i = 0; i < 300; i++) {
      const random = Buffer.alloc(4 + Math.floor(Math.random() * 60));
      for (let b = 0; b < random.length; b++) random[b] = Math.floor(Math.random() * 256);
      random[0] = 0x81;
      payloads.push(random);
    }
    for (const p of payloads) socket.send(p, SUP_PORT, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 1000));
    socket.close();
    const health = await api<{ status: string }>(sup.url, "/api/health");
    expect(health.body.status).toBe("ok");
    await eventually(async () => ((await sensor())?.quality === "good" ? true : undefined));
  });
});
