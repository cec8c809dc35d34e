import {
  allAlarms,
  api,
  discoverDevice,
  eventually,
  notificationClass,
  outOfRangeTemperature,
  overrideObject,
  registeredIn,
  type SimulatorHandle,
  type SiteStack,
  type SupervisorHandle,
  startAlarmStack,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";

// Acknowledgements of device alarms over real UDP, and what the supervisor reads to describe them:
// - the operator's comment is kept on the alarm row (who, when, why) and returned by GET /api/alerts;
// - a burst of out-of-range alarms on one device reads the objects' Units in one batch, not one
//   ReadProperty per alarm in turn (each alarm waited for the reads of all before it);
// - an alarm acknowledged before a restart, that the device reports waiting for a new acknowledgement
//   at the next start (it went off-normal again while the supervisor was down), is raised again;
//   one the device still holds as acknowledged stays acknowledged.
// 127.0.98.0/24 belongs to this file: simulator .11:47881, supervisor .2:47882, probe .23:47883.
const NETWORK = { simBind: "127.0.98.11", simPort: 47881, supBind: "127.0.98.2", supPort: 47882 };
const PROBE = { bind: "127.0.98.23", port: 47883 };
const DEVICE = 9801;
/** Eight temperatures with out-of-range reporting; to-offnormal and to-fault need an acknowledgement. */
const OBJECTS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
const ANALOG_INPUT = 0;
const EVENT_STATE = 36;
const ACKED_TRANSITIONS = 0;

function siteFile(): string {
  return writeSiteFile("alarm-acks-site", {
    name: "Alarm acknowledgements",
    devices: [
      {
        instance: DEVICE,
        name: "AHU",
        objects: OBJECTS.map((i) => outOfRangeTemperature(i, `AHU Temp ${i}`, { timeDelayS: 0 })),
        notificationClasses: [notificationClass(1, "Alarms", { ackRequired: [true, true, false] })],
      },
    ],
  });
}

interface Alert {
  key: string;
  state: string;
  message: string;
  count: number;
  acked_by: string | null;
  acked_at: string | null;
  ack_comment: string | null;
}

interface DeviceAlarmStats {
  notifications: number;
  unit_requests: number;
  raised_again_at_registration: number;
}

const keyOf = (instance: number) => `bacnet:${DEVICE}/analogInput:${instance}`;

describe("device alarm acknowledgements over BACnet/IP", () => {
  let stack: SiteStack;
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const alerts = () => allAlarms<Alert>(sup);
  const alertOf = async (instance: number) => (await alerts()).find((a) => a.key === keyOf(instance));
  const stats = async () =>
    (await api<{ bacnet: { device_alarms: DeviceAlarmStats } }>(sup.url, "/api/monitoring/metrics")).body
      .bacnet.device_alarms;
  /** Confirmed requests the device answered (ReadProperty, RPM, AcknowledgeAlarm, ...), as it counts them. */
  const simReplies = async () =>
    (await api<{ stats: { replies: number } }>(sim.webUrl, "/api/health")).body.stats.replies;
  const ack = (instance: number, body: Record<string, unknown>) =>
    api<{ alert?: Alert; errors?: { path: string; message: string }[] }>(
      sup.url,
      `/api/alerts/${encodeURIComponent(keyOf(instance))}/ack`,
      { method: "POST", body, token: sup.token },
    );
  async function waitFor(instance: number, test: (a: Alert) => boolean, what: string) {
    try {
      return await eventually(async () => {
        const a = await alertOf(instance);
        return a && test(a) ? a : undefined;
      }, 15_000);
    } catch {
      throw new Error(`${keyOf(instance)} never became ${what}: ${JSON.stringify(await alertOf(instance))}`);
    }
  }

  beforeAll(async () => {
    stack = await startAlarmStack({ network: NETWORK, site: siteFile(), devices: [DEVICE], register: true });
    ({ sim, sup } = stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("reads the Units of a burst of alarms on one device in one batch, and every alarm shows its unit", async () => {
    const before = await stats();
    const repliesBefore = await simReplies();
    await Promise.all(OBJECTS.map((i) => overrideObject(sim, DEVICE, `analogInput/${i}`, 31 + i)));
    for (const i of OBJECTS) {
      const a = await waitFor(
        i,
        (x) => x.state === "active" && x.message.includes("above high limit"),
        "active",
      );
      expect(a.message).toContain(`${31 + i} °C above high limit 30`);
    }
    const after = await stats();
    expect(after.notifications - before.notifications).toBe(OBJECTS.length);
    // Eight alarms, eight objects whose Units nobody had read: one ReadPropertyMultiple (two when a
    // notification comes in while the first is on the wire), never one ReadProperty per alarm.
    const unitRequests = after.unit_requests - before.unit_requests;
    expect(unitRequests).toBeGreaterThanOrEqual(1);
    expect(unitRequests).toBeLessThanOrEqual(2);
    // The device agrees: it answered no more requests than that while the burst was described.
    expect((await simReplies()) - repliesBefore).toBe(unitRequests);
  });

  it("keeps the operator's comment on the alarm row, trimmed, with who and when", async () => {
    const comment = '  Called the tenant: <b>window</b> open & "fan" off  ';
    const answer = await ack(1, { by: "night operator", comment });
    expect(answer.status).toBe(200);
    expect(answer.body.alert).toMatchObject({
      state: "acknowledged",
      acked_by: "night operator",
      ack_comment: comment.trim(),
    });
    const row = await alertOf(1);
    expect(row).toMatchObject({
      state: "acknowledged",
      acked_by: "night operator",
      ack_comment: comment.trim(),
    });
    expect(Date.now() - Date.parse(row!.acked_at!)).toBeLessThan(15_000);
    // Without a comment the row says so (null), and the next acknowledgement keeps its own.
    expect((await ack(2, { by: "day operator" })).body.alert?.ack_comment).toBeNull();
  });

  it("refuses a comment over the limit with its path, and the alarm stays as it was", async () => {
    const refused = await ack(3, { comment: "x".repeat(501) });
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.map((e) => e.path)).toEqual(["comment"]);
    expect(await alertOf(3)).toMatchObject({ state: "active", acked_by: null, ack_comment: null });
  });

  it("raises again at start an acknowledged alarm the device went back into while the supervisor was down", async () => {
    const dataDir = sup.dataDir;
    const countBefore = (await alertOf(1))!.count;
    await sup.stop();
    const probe = await openProbe(PROBE.bind, PROBE.port);
    const target = `${NETWORK.simBind}:${NETWORK.simPort}`;
    const stateOf = async () => (await probe.read(target, ANALOG_INPUT, 1, EVENT_STATE))[0];
    try {
      // Back to normal, then above the high limit again: a new to-offnormal transition, new time stamp.
      await overrideObject(sim, DEVICE, "analogInput/1", 20);
      await eventually(async () => ((await stateOf()) === 0 ? true : undefined), 10_000);
      await overrideObject(sim, DEVICE, "analogInput/1", 37);
      await eventually(async () => ((await stateOf()) === 3 ? true : undefined), 10_000);
      // The device waits for an acknowledgement of it: Acked_Transitions' to-offnormal bit is clear.
      const [bits] = await probe.read(target, ANALOG_INPUT, 1, ACKED_TRANSITIONS);
      expect(((bits as { value: number[] }).value[0] ?? 0) & 1).toBe(0);
    } finally {
      probe.close();
    }

    sup = await stack.startSupervisor(dataDir);
    await discoverDevice(sup, DEVICE);
    await registeredIn(sim, DEVICE, NETWORK.supBind);
    // As a new notification would: active again, counted, and nobody's acknowledgement or comment on it.
    const raised = await waitFor(1, (a) => a.state === "active", "active again");
    expect(raised).toMatchObject({ acked_by: null, ack_comment: null, count: countBefore + 1 });
    expect((await stats()).raised_again_at_registration).toBe(1);
    // The event log heard it raised after the start, as it hears a notification's transition.
    const logs = await api<{ logs: { ts: number; source: string; message: string }[] }>(
      sup.url,
      "/api/execution/logs?limit=500",
    );
    expect(
      logs.body.logs.some(
        (l) =>
          l.source === `alert:bacnet-device:${DEVICE}` && l.message === "raised: analogInput:1 high-limit",
      ),
    ).toBe(true);
    // The other acknowledged alarm had no new transition: the device still holds it acknowledged.
    expect(await alertOf(2)).toMatchObject({ state: "acknowledged", acked_by: "day operator" });
    // Acknowledged again (on the device), it keeps the new comment.
    const again = await ack(1, { comment: "second time tonight" });
    expect(again.status).toBe(200);
    expect(again.body.alert).toMatchObject({ state: "acknowledged", ack_comment: "second time tonight" });
  });
});
