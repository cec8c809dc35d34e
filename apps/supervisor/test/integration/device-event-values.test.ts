import {
  allAlarms,
  api,
  notificationClass,
  type SimulatorHandle,
  type SupervisorHandle,
  startAlarmStack,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Event values over real UDP: the simulator sends an EventNotification of every event type the
// supervisor decodes (packages/bacnet/event-values.ts), with example values it reports back; the
// supervisor's alarm record must carry exactly those values, decoded, and a message built from them.
// 127.0.80.0/24 belongs to this file (.1-.2, port 47880-47881) and recipient-lists.test.ts.
const NETWORK = { simBind: "127.0.80.1", simPort: 47880, supBind: "127.0.80.2", supPort: 47881 };
const DEVICE = 8001;
const KEY = `bacnet:${DEVICE}/analogInput:1`;

const TYPES = [
  "change-of-bitstring",
  "change-of-state",
  "change-of-value",
  "command-failure",
  "floating-limit",
  "out-of-range",
  "change-of-life-safety",
  "extended",
  "buffer-ready",
  "unsigned-range",
] as const;

interface Alert {
  key: string;
  state: string;
  message: string;
  event?: {
    event_type: string;
    values: Record<string, unknown> | null;
    values_problem: string | null;
    device_message: string;
    text: string | null;
  };
}

function siteFile(): string {
  const site = {
    name: "Event values",
    devices: [
      {
        instance: DEVICE,
        name: "Event Sender",
        objects: [
          { type: "analogInput", instance: 1, name: "Zone Temp", units: "degreesCelsius", initial: 31.25 },
        ],
        notificationClasses: [notificationClass(1, "Alarms")],
      },
    ],
  };
  return writeSiteFile("event-values-site", site);
}

describe("event values decoded from every event type, over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const alerts = () => allAlarms<Alert>(sup);

  beforeAll(async () => {
    ({ sim, sup } = await startAlarmStack({
      network: NETWORK,
      site: siteFile(),
      devices: [DEVICE],
      register: true,
    }));
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it.each(TYPES)("%s: the alarm record carries the values the device sent", async (type) => {
    const sent = await api<{ sent: Record<string, unknown>; recipients: number }>(
      sim.webUrl,
      `/api/devices/${DEVICE}/objects/analogInput/1/event`,
      { body: { event_type: type } },
    );
    expect(sent.status).toBe(200);
    expect(sent.body.recipients).toBe(1);
    const deadline = Date.now() + 10_000;
    let alert: Alert | undefined;
    while (Date.now() < deadline) {
      alert = (await alerts()).find((a) => a.key === KEY);
      if (alert?.event?.event_type === type && alert.state === "active") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alert?.event?.event_type).toBe(type);
    expect(alert?.event?.values).toEqual(sent.body.sent);
    expect(alert?.event?.values_problem).toBeNull();
    expect(alert?.event?.device_message).toBe(`Zone Temp ${type}`);
    expect(alert?.message).toBe(`Zone Temp ${type}: ${alert?.event?.text}`);
  });

  it("shows an out-of-range alarm as the operator reads it, with the object's unit", async () => {
    const alert = (await alerts()).find((a) => a.key === KEY);
    // The last case above is unsigned-range; send out-of-range again and read its text.
    await api(sim.webUrl, `/api/devices/${DEVICE}/objects/analogInput/1/event`, {
      body: { event_type: "out-of-range" },
    });
    const deadline = Date.now() + 10_000;
    let text = alert?.event?.text;
    while (Date.now() < deadline && !text?.startsWith("out of range")) {
      text = (await alerts()).find((a) => a.key === KEY)?.event?.text;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toBe("out of range: 31.25 °C above high limit 28, deadband 1");
  });

  it("counts the notifications in the metrics, none with malformed values", async () => {
    const metrics = await api<{ bacnet: { device_alarms: Record<string, number> } }>(
      sup.url,
      "/api/monitoring/metrics",
    );
    expect(metrics.body.bacnet.device_alarms.notifications).toBeGreaterThanOrEqual(TYPES.length + 1);
    expect(metrics.body.bacnet.device_alarms.event_values_invalid).toBe(0);
    expect(metrics.body.bacnet.device_alarms.refused).toBe(0);
  });

  it("refuses an unknown event type at the simulator with a 422 naming the field", async () => {
    const bad = await api<{ issues: { path: string }[] }>(
      sim.webUrl,
      `/api/devices/${DEVICE}/objects/analogInput/1/event`,
      { body: { event_type: "no-such-type" } },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.issues[0]?.path).toBe("event_type");
  });
});
