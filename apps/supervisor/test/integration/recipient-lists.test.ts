import {
  api,
  notificationClass,
  type RecipientEntry,
  recipientLists,
  registeredIn,
  type SimulatorHandle,
  type SupervisorHandle,
  startAlarmStack,
  writeSiteFile,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";

// Leaving devices' recipient lists on a clean shutdown, over real UDP: the supervisor registers in
// both simulated devices' Notification Classes beside another workstation's entry; one device then
// goes silent; SIGTERM must remove our entry (only ours) from the answering device, give up on the
// silent one within the budget (3 s total, 1.5 s per device), and log each device.
// 127.0.80.0/24 belongs to this file (.11-.14, ports 47882-47884) and device-event-values.test.ts.
// Device 8011 on simBind; the simulator puts device 8012 on 127.0.80.12.
const NETWORK = { simBind: "127.0.80.11", simPort: 47882, supBind: "127.0.80.13", supPort: 47883 };
const PROBE = { bind: "127.0.80.14", port: 47884 };
const ANSWERING = 8011;
const SILENT = 8012;
const PROCESS_ID = 0x424d53;

function siteFile(): string {
  const device = (instance: number, name: string) => ({
    instance,
    name,
    objects: [{ type: "analogInput", instance: 1, name: "Temp", units: "degreesCelsius", initial: 20 }],
    notificationClasses: [
      notificationClass(1, "Alarms"),
      notificationClass(2, "Events", { priority: [150, 150, 200] }),
    ],
  });
  return writeSiteFile("recipient-lists-site", {
    name: "Recipient lists",
    devices: [device(ANSWERING, "Answering"), device(SILENT, "Silent")],
  });
}

describe("the supervisor leaves recipient lists on clean shutdown", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const recipients = (device: number) => recipientLists(sim, device);
  const ours = (r: RecipientEntry) =>
    r.address.ip === NETWORK.supBind && r.address.port === NETWORK.supPort && r.processId === PROCESS_ID;

  beforeAll(async () => {
    ({ sim, sup } = await startAlarmStack({
      network: NETWORK,
      site: siteFile(),
      devices: [ANSWERING, SILENT],
      // info: each device's leaving is logged at info, a failure at warn.
      extraArgs: ["--log-level", "info"],
    }));
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("registers in every class, then on SIGTERM removes only its own entries, within the budget", async () => {
    // Another workstation's entry in class 1 of the answering device: it must survive our leaving.
    const probe = await openProbe(PROBE.bind, PROBE.port);
    try {
      await probe.joinRecipientList(`${NETWORK.simBind}:${NETWORK.simPort}`, 1, {
        processId: 7,
        validDays: [true, true, true, true, true, false, false],
      });
    } finally {
      probe.close();
    }

    await registeredIn(sim, ANSWERING, ours, 20_000);
    await registeredIn(sim, SILENT, ours, 20_000);
    const registered = async (device: number) =>
      (await recipients(device)).every((nc) => nc.recipients.some(ours));
    expect(await registered(ANSWERING)).toBe(true);
    expect(await registered(SILENT)).toBe(true);

    const silenced = await api(sim.webUrl, `/api/devices/${SILENT}/faults`, { body: { offline: true } });
    expect(silenced.status).toBe(200);

    const started = Date.now();
    const code = await sup.stop("SIGTERM");
    const tookMs = Date.now() - started;
    expect(code).toBe(0);
    console.log(`[recipient-lists] shutdown with one silent device took ${tookMs} ms`);

    const answering = await recipients(ANSWERING);
    expect(answering.flatMap((nc) => nc.recipients.filter(ours))).toEqual([]);
    // The other workstation's entry is untouched.
    expect(answering.find((nc) => nc.instance === 1)?.recipients).toEqual([
      expect.objectContaining({ address: { ip: PROBE.bind, port: PROBE.port, net: 0 }, processId: 7 }),
    ]);
    // The silent device kept our entries: it never heard the request (the next start re-registers).
    expect((await recipients(SILENT)).every((nc) => nc.recipients.some(ours))).toBe(true);

    const log = sup.output();
    expect(log).toMatch(new RegExp(`"device_id":${ANSWERING}[^\\n]*left a device's alarm recipient lists`));
    expect(log).toMatch(
      new RegExp(`"device_id":${SILENT}[^\\n]*could not leave a device's alarm recipient lists`),
    );
    // The silent device costs at most its per-device timeout (1.5 s), well inside the 3 s budget; the
    // rest is the ordinary shutdown (flows, history, SQLite) on a shared 2-core machine.
    expect(tookMs).toBeLessThan(3000 + 4000);
  });
});
