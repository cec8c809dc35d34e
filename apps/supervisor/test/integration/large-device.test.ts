import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  api,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SIM_BIND = "127.0.0.15";
const SIM_PORT = 47846;
const SUP_PORT = 47847;
const OBJECTS = 620;

/** A controller with 620 points: its objectList does not fit one unsegmented APDU. */
function bigSite(): string {
  const objects = Array.from({ length: OBJECTS }, (_, i) => ({
    type: i % 2 === 0 ? "analogInput" : "binaryValue",
    instance: i + 1,
    name: `Point ${String(i + 1).padStart(3, "0")}`,
    ...(i % 2 === 0 ? { units: "degreesCelsius" } : {}),
  }));
  const file = join(tempDir("big-site"), "big.json");
  writeFileSync(
    file,
    JSON.stringify({ name: "big", devices: [{ instance: 7000, name: "Big Controller", objects }] }),
  );
  return file;
}

describe("a device with 620 objects", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: bigSite() });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 1000 }, token: sup.token });
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("is enumerated completely: the whole objectList aborts, so it is read by array index", async () => {
    const { status, body } = await api<{
      source: string;
      objects: { object_type: string; object_instance: number; object_name: string; units?: string }[];
    }>(sup.url, "/api/devices/7000/objects?refresh=true");
    expect(status).toBe(200);
    expect(body.source).toBe("device");
    expect(body.objects).toHaveLength(OBJECTS);
    expect(body.objects[0]).toMatchObject({
      object_type: "analogInput",
      object_instance: 1,
      object_name: "Point 001",
    });
    expect(body.objects.find((o) => o.object_instance === 620)).toMatchObject({
      object_type: "binaryValue",
      object_name: "Point 620",
    });
    expect(body.objects.filter((o) => o.units === "degreesCelsius")).toHaveLength(OBJECTS / 2);

    const cached = await api<{ source: string; objects: unknown[] }>(sup.url, "/api/devices/7000/objects");
    expect(cached.body.source).toBe("cache");
    expect(cached.body.objects).toHaveLength(OBJECTS);
    const device = await api<{ device: { object_count: number } }>(sup.url, "/api/devices/7000");
    expect(device.body.device.object_count).toBe(OBJECTS);
  });

  it("answers an unknown device with 404 and its id", async () => {
    const { status, body } = await api<{ error: string }>(sup.url, "/api/devices/4242/objects");
    expect(status).toBe(404);
    expect(body.error).toContain("4242");
  });
});
