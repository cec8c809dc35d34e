import {
  api,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SIM_BIND = "127.0.3.1";
const SIM_PORT = 47841;
const SUP_PORT = 47842;
const DEVICES = 60;
const FIRST = 10001;

interface Metrics {
  bacnet: { requests: number };
}

describe("a site of 60 devices", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, devices: DEVICES });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
  }, 120_000);

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("discovers every device with one broadcast Who-Is, with names", async () => {
    const { status, body } = await api<{
      devices: { device_id: number; name: string | null; status: string; address: string }[];
      scan_status: string;
      progress: { found: number };
    }>(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 3000 }, token: sup.token });
    expect(status).toBe(200);
    expect(body.scan_status).toBe("complete");
    expect(body.progress.found).toBe(DEVICES);
    expect(body.devices).toHaveLength(DEVICES);
    expect(body.devices.every((d) => d.status === "online" && d.name)).toBe(true);
    expect(body.devices[0]).toMatchObject({ device_id: FIRST, address: `${SIM_BIND}:${SIM_PORT}` });
  });

  it("ranged discovery only reports devices in the range", async () => {
    const { body } = await api<{ progress: { found: number } }>(sup.url, "/api/devices/discover?wait=true", {
      body: { timeout_ms: 1500, low_limit: FIRST, high_limit: FIRST + 9 },
      token: sup.token,
    });
    expect(body.progress.found).toBe(10);
  });

  it("reads 600 points across 60 devices with one ReadPropertyMultiple per device", async () => {
    const points: string[] = [];
    for (let d = 0; d < DEVICES; d++) {
      for (let i = 1; i <= 10; i++) points.push(`bacnet:${FIRST + d}/analogInput:${i}`);
    }
    const before = (await api<Metrics>(sup.url, "/api/monitoring/metrics")).body.bacnet.requests;
    const started = Date.now();
    const { body } = await api<{ values: { point: string; value: number; quality: string }[] }>(
      sup.url,
      "/api/points/read",
      { body: { points } },
    );
    const elapsed = Date.now() - started;
    const after = (await api<Metrics>(sup.url, "/api/monitoring/metrics")).body.bacnet.requests;
    expect(body.values).toHaveLength(600);
    expect(body.values.filter((v) => v.quality === "good")).toHaveLength(600);
    expect(body.values.every((v) => typeof v.value === "number" && v.value > 10 && v.value < 35)).toBe(true);
    expect(after - before).toBe(DEVICES);
    expect(elapsed).toBeLessThan(10_000);
  });

  it("writes a batch to one device (WritePropertyMultiple, single writes where it is refused) and reads it back", async () => {
    const device = FIRST + 5;
    const writes = [
      { point: `bacnet:${device}/analogValue:1`, value: 19.5, priority: 9 },
      { point: `bacnet:${device}/analogValue:2`, value: 23.25, priority: 9 },
      { point: `bacnet:${device}/binaryOutput:3`, value: true, priority: 9 },
    ];
    const written = await api<{ results: { ok: boolean }[] }>(sup.url, "/api/points/write", {
      body: { writes },
      token: sup.token,
    });
    expect(written.body.results.every((r) => r.ok)).toBe(true);
    const { body } = await api<{ values: { value: unknown }[] }>(sup.url, "/api/points/read", {
      body: { points: [...writes.map((w) => w.point), `bacnet:${device}/analogValue:1.priorityArray[9]`] },
    });
    expect(body.values.map((v) => v.value)).toEqual([19.5, 23.25, true, 19.5]);
    const relinquished = await api<{ results: { ok: boolean }[] }>(sup.url, "/api/points/write", {
      body: { writes: writes.map((w) => ({ ...w, value: null })) },
      token: sup.token,
    });
    expect(relinquished.body.results.every((r) => r.ok)).toBe(true);
    const after = await api<{ values: { value: unknown }[] }>(sup.url, "/api/points/read", {
      body: {
        points: [`bacnet:${device}/analogValue:1.priorityArray[9]`, `bacnet:${device}/binaryOutput:3`],
      },
    });
    expect(after.body.values.map((v) => v.value)).toEqual([null, false]);
  });

  it("reports which write of a batch the device refused, and applies the others", async () => {
    const device = FIRST + 6;
    const written = await api<{ results: { point: string; ok: boolean; error?: string }[] }>(
      sup.url,
      "/api/points/write",
      {
        body: {
          writes: [
            { point: `bacnet:${device}/analogValue:4`, value: 20.5, priority: 9 },
            { point: `bacnet:${device}/analogInput:1`, value: 99, priority: 9 },
            { point: `bacnet:${device}/analogValue:5`, value: 21.5, priority: 9 },
          ],
        },
        token: sup.token,
      },
    );
    expect(written.status).toBe(200);
    expect(written.body.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(written.body.results[1]?.error).toContain("write-access-denied");
    const { body } = await api<{ values: { value: unknown; quality: string }[] }>(
      sup.url,
      "/api/points/read",
      {
        body: { points: [`bacnet:${device}/analogValue:4`, `bacnet:${device}/analogValue:5`] },
      },
    );
    expect(body.values.map((v) => v.value)).toEqual([20.5, 21.5]);
    const devices = await api<{ devices: { device_id: number; status: string }[] }>(sup.url, "/api/devices");
    expect(devices.body.devices.find((d) => d.device_id === device)?.status).toBe("online");
    await api(sup.url, "/api/points/write", {
      body: {
        writes: [
          { point: `bacnet:${device}/analogValue:4`, value: null, priority: 9 },
          { point: `bacnet:${device}/analogValue:5`, value: null, priority: 9 },
        ],
      },
      token: sup.token,
    });
  });
});
