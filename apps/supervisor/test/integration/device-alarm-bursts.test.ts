import {
  allAlarms,
  api,
  eventually,
  notificationClass,
  outOfRangeTemperature,
  overrideObject,
  type SimulatorHandle,
  type SupervisorHandle,
  startAlarmStack,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Bursts of device alarms over real UDP: several objects of one device (and of two devices at once)
// go out of range in the same simulator step, so their EventNotifications leave the devices within
// a millisecond of each other. Every one must become its own alarm, with its own values: an alarm
// lost in a burst is an alarm an integrator never sees.
// A device whose alarms need acknowledgement raises a new alarm on an object whose last one an operator
// acknowledged: that is a new alarm to acknowledge, not the old row.
// A device with more standing alarms than one GetEventInformation page must show every one at start.
// 127.0.95.0/24 belongs to this file: simulator devices .11-.14 (port 47895), supervisor .2:47896.
const NETWORK = { simBind: "127.0.95.11", simPort: 47895, supBind: "127.0.95.2", supPort: 47896 };
const DEVICE_A = 9511;
const DEVICE_B = 9512;
/** Its alarms wait for an operator's acknowledgement (to-offnormal and to-fault). */
const DEVICE_C = 9513;
/** Objects with out-of-range reporting on each device: A has four, B and C two. */
const OBJECTS = { [DEVICE_A]: [1, 2, 3, 4], [DEVICE_B]: [1, 2] } as const;
const ACKED_OBJECTS = [1, 2] as const;
/** In alarm before the supervisor starts, more than one GetEventInformation page (the simulator's is 20). */
const DEVICE_D = 9514;
const STANDING = Array.from({ length: 45 }, (_, i) => i + 1);

function siteFile(): string {
  const device = (
    instance: number,
    name: string,
    objects: readonly number[],
    ackRequired: [boolean, boolean, boolean] = [false, false, false],
    initial = 20,
  ) => ({
    instance,
    name,
    objects: objects.map((i) => outOfRangeTemperature(i, `${name} Temp ${i}`, { initial, timeDelayS: 0 })),
    notificationClasses: [notificationClass(1, "Alarms", { ackRequired })],
  });
  return writeSiteFile("alarm-bursts-site", {
    name: "Alarm bursts",
    devices: [
      device(DEVICE_A, "AHU", OBJECTS[DEVICE_A]),
      device(DEVICE_B, "FCU", OBJECTS[DEVICE_B]),
      device(DEVICE_C, "Chiller", ACKED_OBJECTS, [true, true, false]),
      device(DEVICE_D, "Boiler", STANDING, [true, true, false], 45),
    ],
  });
}

interface Alert {
  key: string;
  state: string;
  message: string;
  event?: { event_type: string; values: { exceedingValue?: number; exceededLimit?: number } | null };
}

interface Metrics {
  bacnet: { device_alarms: { notifications: number; refused: number } };
}

const keyOf = (device: number, instance: number) => `bacnet:${device}/analogInput:${instance}`;
const everyObject = Object.entries(OBJECTS).flatMap(([device, list]) =>
  list.map((instance) => ({ device: Number(device), instance })),
);

describe("bursts of device alarms over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const alerts = () => allAlarms<Alert>(sup);
  const notifications = async () =>
    (await api<Metrics>(sup.url, "/api/monitoring/metrics")).body.bacnet.device_alarms;
  const simSent = async () =>
    (await api<{ stats: { eventNotifications: number } }>(sim.webUrl, "/api/health")).body.stats
      .eventNotifications;

  /**
   * Sets every listed object to its value in one go (the overrides land within the same 250 ms
   * simulator step, so the device sends the notifications back to back), then waits until each
   * object's alarm shows exactly that value.
   */
  async function burst(values: { device: number; instance: number; value: number; state: string }[]) {
    const before = await notifications();
    const sentBefore = await simSent();
    await Promise.all(values.map((v) => overrideObject(sim, v.device, `analogInput/${v.instance}`, v.value)));
    const sent = await eventually(async () => {
      const n = await simSent();
      return n >= sentBefore + values.length ? n : undefined;
    }, 10_000);
    expect(sent - sentBefore).toBe(values.length);
    const missing = async () => {
      const list = await alerts();
      return values.filter((v) => {
        const a = list.find((x) => x.key === keyOf(v.device, v.instance));
        return a?.state !== v.state || a.event?.values?.exceedingValue !== v.value;
      });
    };
    try {
      await eventually(async () => ((await missing()).length === 0 ? true : undefined), 10_000);
    } catch {
      const lost = (await missing()).map((v) => keyOf(v.device, v.instance));
      throw new Error(`alarms lost in the burst: ${lost.join(", ")}`);
    }
    const after = await notifications();
    expect(after.notifications - before.notifications).toBe(values.length);
    expect(after.refused).toBe(before.refused);
    return alerts();
  }

  beforeAll(async () => {
    ({ sim, sup } = await startAlarmStack({
      network: NETWORK,
      site: siteFile(),
      devices: [DEVICE_A, DEVICE_B, DEVICE_C, DEVICE_D],
      register: true,
    }));
  }, 60_000);

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("raises every alarm of four objects of one device going out of range at once, each with its value", async () => {
    const list = await burst(
      OBJECTS[DEVICE_A].map((instance) => ({
        device: DEVICE_A,
        instance,
        value: 31 + instance / 2,
        state: "active",
      })),
    );
    for (const instance of OBJECTS[DEVICE_A]) {
      const a = list.find((x) => x.key === keyOf(DEVICE_A, instance));
      expect(a?.event?.event_type).toBe("out-of-range");
      expect(a?.event?.values?.exceededLimit).toBe(30);
      expect(a?.message).toContain(`AHU Temp ${instance} above its high limit`);
      expect(a?.message).toContain(`${31 + instance / 2} °C above high limit 30`);
    }
  });

  it("clears every one of them when they all come back at once", async () => {
    await burst(
      OBJECTS[DEVICE_A].map((instance) => ({
        device: DEVICE_A,
        instance,
        value: 20 + instance,
        state: "cleared",
      })),
    );
  });

  it("raises every alarm of two devices at once, high and low limits mixed", async () => {
    const values = everyObject.map(({ device, instance }, i) => ({
      device,
      instance,
      value: i % 2 === 0 ? 40 + i : 2 + i,
      state: "active",
    }));
    const list = await burst(values);
    for (const v of values) {
      const a = list.find((x) => x.key === keyOf(v.device, v.instance));
      expect(a?.message).toContain(v.value > 30 ? "above high limit 30" : "below low limit 10");
    }
  });

  it("keeps every alarm through repeated bursts on both devices", async () => {
    for (let round = 0; round < 3; round++) {
      await burst(
        everyObject.map(({ device, instance }) => ({ device, instance, value: 20, state: "cleared" })),
      );
      await burst(
        everyObject.map(({ device, instance }) => ({
          device,
          instance,
          value: 50 + round + instance / 4,
          state: "active",
        })),
      );
    }
  });

  it("raises again an acknowledged alarm whose object enters a new off-normal state", async () => {
    const objects = (value: (instance: number) => number, state: string) =>
      ACKED_OBJECTS.map((instance) => ({ device: DEVICE_C, instance, value: value(instance), state }));
    await burst(objects((i) => 35 + i, "active"));
    for (const instance of ACKED_OBJECTS) {
      const ack = await api<{ alert: Alert }>(
        sup.url,
        `/api/alerts/${encodeURIComponent(keyOf(DEVICE_C, instance))}/ack`,
        { method: "POST", body: { by: "night operator" }, token: sup.token },
      );
      expect(ack.status).toBe(200);
      expect(ack.body.alert.state).toBe("acknowledged");
    }
    // High limit to low limit on both at once: two new to-offnormal transitions the device wants acknowledged.
    const list = await burst(objects((i) => 2 + i, "active"));
    for (const instance of ACKED_OBJECTS) {
      const a = list.find((x) => x.key === keyOf(DEVICE_C, instance));
      expect(a?.message).toContain(`${2 + instance} °C below low limit 10`);
    }
  });

  it("learns every standing alarm at start, past GetEventInformation's first page", async () => {
    const keys = STANDING.map((instance) => keyOf(DEVICE_D, instance));
    const missing = async () => {
      const active = new Set((await alerts()).filter((a) => a.state === "active").map((a) => a.key));
      return keys.filter((k) => !active.has(k));
    };
    await eventually(async () => ((await missing()).length === 0 ? true : undefined), 10_000).catch(
      async () => {
        throw new Error(`standing alarms never shown: ${(await missing()).join(", ")}`);
      },
    );
    const list = await alerts();
    expect(list.find((a) => a.key === keyOf(DEVICE_D, 45))?.message).toBe("analogInput:45 high-limit");
  });
});
