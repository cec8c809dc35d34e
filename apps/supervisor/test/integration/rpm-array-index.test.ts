import { api, eventually, type SupervisorHandle, startSupervisor } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDevice, startFakeDevice } from "../fake-device";

// 127.0.117.x and UDP 47890-47892 belong to this file.
const SUP_PORT = 47890;
const SUPERVISOR = `127.0.0.1:${SUP_PORT}`;

interface Read {
  values: { value: unknown; quality: string; code?: string; reason?: string }[];
}

describe("an RPM answer naming another array element than the one read", () => {
  let sup: SupervisorHandle;
  let honest: FakeDevice;
  let shifted: FakeDevice;

  beforeAll(async () => {
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: "127.255.255.255:47899" });
    [honest, shifted] = await Promise.all([
      startFakeDevice({ instance: 3101, bind: "127.0.117.2", port: 47891, objectListLength: 5 }),
      startFakeDevice({
        instance: 3102,
        bind: "127.0.117.3",
        port: 47892,
        objectListLength: 5,
        shiftIndex: true,
      }),
    ]);
    honest.announce(SUPERVISOR);
    shifted.announce(SUPERVISOR);
    await eventually(async () => {
      const { body } = await api<{ devices: { device_id: number }[] }>(sup.url, "/api/devices");
      const ids = body.devices.map((d) => d.device_id);
      return ids.includes(3101) && ids.includes(3102) ? true : undefined;
    });
  });

  afterAll(async () => {
    honest?.close();
    shifted?.close();
    await sup?.stop();
  });

  it("reads the element from an honest device and refuses the other element's value as a decode error", async () => {
    const { body } = await api<Read>(sup.url, "/api/points/read", {
      body: {
        points: [
          // A REAL element: decoded by the supervisor's own RPM walk.
          "bacnet:3101/analogOutput:1.priorityArray[8]",
          // An object identifier: decoded the library's way.
          "bacnet:3101/device:3101.objectList[2]",
          "bacnet:3102/analogOutput:1.priorityArray[8]",
          "bacnet:3102/device:3102.objectList[2]",
        ],
      },
    });
    expect(body.values[0]).toMatchObject({ quality: "good", value: 12 });
    expect(body.values[1]).toMatchObject({ quality: "good" });
    // Device 3102 answered priorityArray[9] (13.5) for [8] and objectList[3] for [2]: never taken for
    // what was asked, on either decoding path.
    for (const v of body.values.slice(2)) {
      expect(v).toMatchObject({ quality: "bad", code: "decode_error", value: null });
      expect(v.reason).toContain("array element");
    }
  });
});
