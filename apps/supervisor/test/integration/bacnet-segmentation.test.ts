import {
  api,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Segmented Complex-ACK reception over real UDP: the supervisor asks a segmenting 5,000-object
 * controller for its Object_List and gets it in one segmented reply, although the simulator withholds
 * segment 3 once; the transport's negative Segment-ACK brings it back.
 */
const SIM_BIND = "127.0.43.60";
const SIM_PORT = 47855;
const SUP_BIND = "127.0.43.1";
const SUP_PORT = 47854;
const LARGE = 400_001;
const OBJECTS = 5000;

interface NetworkView {
  segmentation: { segmented_replies: number; negative_acks: number; refused: number; timeouts: number };
}

describe("a segmented 5,000-object Object_List", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;

  beforeAll(async () => {
    sim = await startSimulator({
      bind: SIM_BIND,
      port: SIM_PORT,
      site: "skeleton",
      extraArgs: [
        "--broadcast",
        "127.0.43.255",
        "--segmentation",
        "--objects",
        String(OBJECTS),
        "--drop-segment",
        "3",
      ],
    });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.0.43.255:${SIM_PORT}`,
    });
    await api(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 1500 }, token: sup.token });
  }, 60_000);

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("arrives whole in one segmented reply, the withheld segment recovered", async () => {
    const devices = await api<{ devices: Array<{ device_id: number; segmentation: string }> }>(
      sup.url,
      "/api/devices",
    );
    expect(devices.body.devices.find((d) => d.device_id === LARGE)?.segmentation).toBe("segmented-transmit");
    const { status, body } = await api<{
      source: string;
      objects: Array<{ object_type: string; object_instance: number; object_name: string }>;
    }>(sup.url, `/api/devices/${LARGE}/objects?refresh=true`);
    expect(status).toBe(200);
    expect(body.objects).toHaveLength(OBJECTS);
    expect(body.objects.at(-1)).toMatchObject({
      object_type: "analogValue",
      object_instance: OBJECTS,
      object_name: `Value ${OBJECTS}`,
    });
    const view = (await api<NetworkView>(sup.url, "/api/devices/network")).body;
    expect(view.segmentation.segmented_replies).toBeGreaterThanOrEqual(1);
    expect(view.segmentation.negative_acks).toBeGreaterThanOrEqual(1);
    expect(view.segmentation.refused).toBe(0);
    const simView = await api<{ segmentation: { completed: number; droppedOnPurpose: number } }>(
      sim.webUrl,
      "/api/network",
    );
    expect(simView.body.segmentation.droppedOnPurpose).toBeGreaterThanOrEqual(1);
    expect(simView.body.segmentation.completed).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
