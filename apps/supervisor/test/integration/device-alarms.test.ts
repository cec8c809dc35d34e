import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  allAlarms,
  api,
  notificationClass,
  outOfRangeTemperature,
  overrideObject,
  type SimulatorHandle,
  type SupervisorHandle,
  startAlarmStack,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";

// Device alarms end to end over real UDP: the simulated controller's analog input has out-of-range
// intrinsic reporting; the supervisor registers in its Notification Class, learns a standing alarm
// with GetEventInformation at start, receives Confirmed EventNotifications, and an operator's
// acknowledgement goes to the device as AcknowledgeAlarm. A probe client receives Unconfirmed ones.
// 127.0.62.x belongs to this file and trend-log-backfill.test.ts (ports 47816-47818 here).
const NETWORK = { simBind: "127.0.62.12", simPort: 47816, supBind: "127.0.62.11", supPort: 47817 };

const PROBE = { bind: "127.0.62.13", port: 47818 };
const DEVICE = 6202;
const KEY = `bacnet:${DEVICE}/analogInput:1`;
const KEY2 = `bacnet:${DEVICE}/analogInput:2`;

function siteFile(): string {
  const site = {
    name: "Device alarms",
    devices: [
      {
        instance: DEVICE,
        name: "AHU Alarms",
        objects: [
          outOfRangeTemperature(1, "Supply Temp", { timeDelayS: 0 }),
          outOfRangeTemperature(2, "Return Temp", { timeDelayS: 0 }),
        ],
        notificationClasses: [notificationClass(1, "Critical", { ackRequired: [true, true, false] })],
      },
    ],
  };
  return writeSiteFile("alarm-site", site);
}

interface Alert {
  key: string;
  state: string;
  priority: string;
  message: string;
  acked_by: string | null;
}

describe("device alarms over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let hook: Server;
  const posted: { event: string; alert: Alert }[] = [];
  const override = (instance: number, value: number | null) =>
    overrideObject(sim, DEVICE, `analogInput/${instance}`, value);
  const alerts = () => allAlarms<Alert>(sup);
  const waitFor = async <T>(what: string, get: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const value = await get();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    hook = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        posted.push(JSON.parse(body));
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, NETWORK.supBind, resolve));
    const hookPort = (hook.address() as AddressInfo).port;
    ({ sim, sup } = await startAlarmStack({
      network: NETWORK,
      site: siteFile(),
      devices: [DEVICE],
      // An alarm already standing before the supervisor starts: GetEventInformation must find it.
      beforeSupervisor: (started) => overrideObject(started, DEVICE, "analogInput/2", 35),
      extraArgs: [
        "--webhook-allow",
        `${NETWORK.supBind}:${hookPort}`,
        "--device-alarm-webhook",
        `http://${NETWORK.supBind}:${hookPort}/device-alarms`,
      ],
    }));
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
    hook?.close();
  });

  it("learns an alarm standing before it started, with GetEventInformation", async () => {
    const standing = await waitFor("the standing alarm", async () =>
      (await alerts()).find((a) => a.key === KEY2 && a.state === "active"),
    );
    expect(standing.priority).toBe("high");
    expect(standing.message).toContain("high-limit");
  });

  it("raises a device alarm from a Confirmed EventNotification, beside flow alarms and on the webhook", async () => {
    await override(1, 31.5);
    const raised = await waitFor("the raised alarm", async () =>
      (await alerts()).find((a) => a.key === KEY && a.state === "active"),
    );
    expect(raised.message).toContain("Supply Temp above its high limit");
    expect(raised.message).toContain("(31.5, limit 30)");
    const webhook = await waitFor("the webhook post", async () =>
      posted.find((p) => p.alert.key === KEY && p.event === "raised"),
    );
    expect(webhook.alert.priority).toBe("high");
  });

  it("acknowledges on the device with AcknowledgeAlarm (operator, audited), and clears once back to normal", async () => {
    const probe = await openProbe(PROBE.bind, PROBE.port);
    try {
      const ackedBits = async () => {
        const [bits] = await probe.read(`${NETWORK.simBind}:${NETWORK.simPort}`, 0, 1, 0);
        return (bits as { value: number[] }).value[0] ?? 0;
      };
      expect((await ackedBits()) & 1).toBe(0); // to-offnormal not yet acknowledged on the device

      const viewer = await api(sup.url, `/api/alerts/${encodeURIComponent(KEY)}/ack`, {
        method: "POST",
        body: {},
        token: "not-a-valid-token",
      });
      expect(viewer.status).toBe(401);

      const ack = await api<{ alert: Alert }>(sup.url, `/api/alerts/${encodeURIComponent(KEY)}/ack`, {
        method: "POST",
        body: { by: "night operator" },
        token: sup.token,
      });
      expect(ack.status).toBe(200);
      expect(ack.body.alert.state).toBe("acknowledged");
      expect(ack.body.alert.acked_by).toBe("night operator");
      expect((await ackedBits()) & 1).toBe(1); // the device took it

      const audit = await api<{ records: { action: string; target: string; result: string }[] }>(
        sup.url,
        `/api/audit?action=alarm.ack`,
        { token: sup.token },
      );
      expect(audit.body.records.some((r) => r.target === KEY && r.result === "ok")).toBe(true);

      await override(1, 20);
      await waitFor("the alarm to clear", async () =>
        (await alerts()).find((a) => a.key === KEY && a.state === "cleared"),
      );
    } finally {
      probe.close();
    }
  });

  it("sends Unconfirmed EventNotifications to a recipient that asked for them", async () => {
    const probe = await openProbe(PROBE.bind, PROBE.port);
    try {
      const received: Record<string, unknown>[] = [];
      probe.client.on("eventNotify", (content: { payload?: Record<string, unknown> }) => {
        if (content.payload) received.push(content.payload);
      });
      await probe.joinRecipientList(`${NETWORK.simBind}:${NETWORK.simPort}`, 1, { processId: 77 });
      await override(1, 5);
      const low = await waitFor("the unconfirmed notification", async () =>
        received.find((p) => p.toState === 4),
      );
      expect(low.processId).toBe(77);
      expect(low.eventType).toBe(5);
      expect(low.notificationClass).toBe(1);
      expect(low.ackRequired).toBe(true);
      expect(low.messageText).toBe("Supply Temp below its low limit (5, limit 10)");
      // The supervisor got the same transition, confirmed.
      await waitFor("the low-limit alarm", async () =>
        (await alerts()).find(
          (a) => a.key === KEY && a.state === "active" && a.message.includes("low limit"),
        ),
      );
    } finally {
      probe.close();
    }
  });
});
