import { randomUUID } from "node:crypto";
import type { BACNetObjectID } from "@bacnet-js/client";
import { encodeValue, OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import type { PointValue, PriorityArrayResponse } from "@bms/schemas";
import {
  api,
  DEMO_PLANT_MODE,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  DEMO_ZONE_TEMP,
  discoverDevice,
  eventually,
  reheatOverrideFlow,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe, type ProbeTarget, receiverOf, targetOf } from "../bacnet-probe";
import { packageOf } from "../fixtures";

// The demo building: VAV-1's reheat valve is held by the flow, Plant Mode is a multi-state value.
const SIM_BIND = "127.0.11.2";
const SIM_PORT = 47817;
const SUP_PORT = 47818;
const PROBE_PORT = 47819;
const VAV1 = DEMO_VAV1;
const REHEAT = DEMO_REHEAT_VALVE;
const FLOW_ID = randomUUID();

describe("the priority array through the API", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  let vavAddress: ProbeTarget;

  const read = async (points: string[]) =>
    (await api<{ values: PointValue[] }>(sup.url, "/api/points/read", { body: { points }, token: sup.token }))
      .body.values;
  const picture = async (point: string) =>
    api<PriorityArrayResponse>(sup.url, `/api/points/priority?point=${encodeURIComponent(point)}`, {
      token: sup.token,
    });
  /** A second writer, as a workstation or another controller would be: straight to the device. */
  const writeDirect = (value: number | null, priority: number) =>
    probe.client.writeProperty(
      receiverOf(vavAddress),
      { type: OBJECT_TYPES.analogOutput, instance: 2 } as BACNetObjectID,
      PROPERTIES.presentValue,
      [encodeValue(OBJECT_TYPES.analogOutput, PROPERTIES.presentValue, value) as never],
      { priority },
    );

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await startSupervisor({ bacnetPort: SUP_PORT, broadcast: `127.255.255.255:${SIM_PORT}` });
    probe = await openProbe("127.0.0.1", PROBE_PORT);
    // VAV-1 sits behind the demo's router on network 2001: the probe goes through it.
    vavAddress = targetOf(await discoverDevice(sup, VAV1, 2000));
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(reheatOverrideFlow({ flowId: FLOW_ID }), "Priority array"),
      token: sup.token,
    });
    expect(deployed.status).toBe(200);
    // The device itself shows the flow's command at priority 8.
    await eventually(async () => {
      const slot = await probe.read(vavAddress, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, 8);
      return slot[0] === 35 ? true : undefined;
    });
  });

  afterAll(async () => {
    if (probe && vavAddress) await writeDirect(null, 5).catch(() => undefined);
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("reads a whole priority array as its 16 slots", async () => {
    const [whole] = await read([`${REHEAT}.priorityArray`]);
    expect(whole?.quality).toBe("good");
    expect(Array.isArray(whole?.value)).toBe(true);
    const slots = whole?.value as (number | null)[];
    expect(slots).toHaveLength(16);
    expect(slots[7]).toBe(35);
    expect(slots.filter((v) => v !== null)).toEqual([35]);
    // One slot by index still reads as a scalar, and index 0 is the array's length.
    const [eighth, length] = await read([`${REHEAT}.priorityArray[8]`, `${REHEAT}.priorityArray[0]`]);
    expect(eighth?.value).toBe(35);
    expect(length?.value).toBe(16);
  });

  it("names the flow and node holding a slot, and shows another writer's higher priority winning", async () => {
    await writeDirect(80, 5);
    const answer = await eventually(async () => {
      const r = await picture(REHEAT);
      return r.body.present_value === 80 ? r : undefined;
    });
    expect(answer.status).toBe(200);
    const body = answer.body;
    expect(body.point).toBe(`${REHEAT}.presentValue`);
    expect(body.quality).toBe("good");
    expect(body.slots.map((s) => s.priority)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(body.winning_priority).toBe(5);
    expect(body.relinquish_default).toBe(0);
    expect(body.units).toBe("percent");

    const fifth = body.slots[4]!;
    expect(fifth).toEqual({ priority: 5, value: 80, source: "other" });
    const eighth = body.slots[7]!;
    expect(eighth.value).toBe(35);
    expect(eighth.source).toBe("flow");
    expect(eighth.holder).toEqual({
      flow_id: FLOW_ID,
      flow_name: "Reheat test",
      node_id: "reheat",
      node_label: "Reheat valve",
      commanded_value: 35,
    });
    const empty = body.slots.filter((s) => s.priority !== 5 && s.priority !== 8);
    expect(empty.every((s) => s.value === null && s.source === null && s.holder === undefined)).toBe(true);

    // Once the other writer relinquishes, the flow's slot wins again.
    await writeDirect(null, 5);
    const after = await eventually(async () => {
      const r = await picture(REHEAT);
      return r.body.present_value === 35 ? r.body : undefined;
    });
    expect(after.winning_priority).toBe(8);
  });

  it("answers bad quality with a reason for a property the object lacks or BACnet does not define", async () => {
    const [noArray, unknown, fine] = await read([
      `bacnet:${VAV1}/analogInput:1.priorityArray`,
      `bacnet:${VAV1}/analogInput:1.fooBar`,
      `bacnet:${VAV1}/analogInput:1`,
    ]);
    expect(noArray?.quality).toBe("bad");
    expect(noArray?.value).toBeNull();
    expect(noArray?.reason).toMatch(/unknown.property/i);
    expect(unknown?.quality).toBe("bad");
    expect(unknown?.reason).toBe('unknown property "fooBar"');
    expect(fine?.quality).toBe("good");

    const input = await picture(`bacnet:${VAV1}/analogInput:1`);
    expect(input.status).toBe(200);
    expect(input.body.quality).toBe("bad");
    expect(input.body.reason).toMatch(/^no priority array: .*unknown.property/i);
    expect(input.body.slots).toEqual([]);

    const invalid = await picture("not a point");
    expect(invalid.status).toBe(422);
  });

  it("gives live values their units and state texts once the objects are browsed", async () => {
    for (const device of [VAV1, 2002]) {
      const browsed = await api<{ objects: { object_type: string; state_text?: string[] }[] }>(
        sup.url,
        `/api/devices/${device}/objects?refresh=true`,
        { token: sup.token },
      );
      expect(browsed.status).toBe(200);
    }
    const [zone, valve, mode] = await read([DEMO_ZONE_TEMP, REHEAT, DEMO_PLANT_MODE]);
    expect(zone?.units).toBe("degreesCelsius");
    expect(valve?.units).toBe("percent");
    // Plant Mode rests at its relinquish default, state 4 of Off/Cooling/Heating/Auto.
    expect(mode?.value).toBe(4);
    expect(mode?.text).toBe("Auto");
    expect(mode?.units).toBeUndefined();
  });
});
