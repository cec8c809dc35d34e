import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROPERTIES } from "@bms/bacnet";
import {
  api,
  discoverDevice,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe } from "../bacnet-probe";

// Commissioning services against a simulated controller over real UDP: time synchronization,
// DeviceCommunicationControl and ReinitializeDevice with a password, admin only and audited.
const SIM_BIND = "127.0.48.30";
const SIM_PORT = 47893;
const SUP_BIND = "127.0.48.31";
const SUP_PORT = 47854;
const PROBE_PORT = 47855;
const DEVICE = 4831;
const PASSWORD = "Comm1ss-Secret";

function siteFile(): string {
  const file = join(tempDir("commissioning-site"), "site.json");
  const site = {
    name: "Commissioning",
    devices: [
      {
        instance: DEVICE,
        name: "Drifting Controller",
        // Two hours fast, as a controller after a DST change nobody applied.
        commissioning: { password: PASSWORD, clockOffsetS: 7200 },
        objects: [{ type: "analogValue", instance: 1, name: "Setpoint", commandable: true }],
      },
    ],
  };
  writeFileSync(file, JSON.stringify(site));
  return file;
}

describe("device commissioning services over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  const address = `${SIM_BIND}:${SIM_PORT}`;
  const post = (path: string, body: unknown, token: string | null = sup.token) =>
    api<{ error?: string }>(sup.url, `/api/devices/${DEVICE}/${path}`, {
      method: "POST",
      body,
      ...(token ? { token } : {}),
    });
  /** The device clock as the device reports it (Local_Date + Local_Time), from a third party. */
  const deviceClock = async () => {
    const [date] = (await probe.read(address, 8, DEVICE, PROPERTIES.localDate)) as Date[];
    const [time] = (await probe.read(address, 8, DEVICE, PROPERTIES.localTime)) as Date[];
    return new Date(
      date!.getFullYear(),
      date!.getMonth(),
      date!.getDate(),
      time!.getHours(),
      time!.getMinutes(),
      time!.getSeconds(),
    );
  };

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: siteFile() });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      // Logged at info, so the test can show the password never reaches the log.
      extraArgs: ["--log-level", "info"],
    });
    probe = await openProbe("127.0.48.32", PROBE_PORT);
    await discoverDevice(sup, DEVICE);
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("sets a drifting device's clock with UTCTimeSynchronization", async () => {
    const before = await deviceClock();
    expect(Math.abs(before.getTime() - Date.now() - 7200_000)).toBeLessThan(5000);
    const answer = await post("time-sync", { utc: true });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // Unconfirmed: give the datagram a moment, then the device's own clock says it took it.
    await new Promise((r) => setTimeout(r, 300));
    expect(Math.abs((await deviceClock()).getTime() - Date.now())).toBeLessThan(3000);
  });

  it("silences a device with DeviceCommunicationControl and brings it back, password checked", async () => {
    const wrong = await post("communication", { state: "disable", minutes: 5, password: "not-it" });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toContain("password-failure");
    expect(wrong.body.error).not.toContain("not-it");

    const off = await post("communication", { state: "disable", minutes: 5, password: PASSWORD });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    // A disabled device answers nothing but DCC and ReinitializeDevice.
    await expect(probe.read(address, 8, DEVICE, PROPERTIES.objectName)).rejects.toThrow();

    const on = await post("communication", { state: "enable", password: PASSWORD });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(await probe.read(address, 8, DEVICE, PROPERTIES.objectName)).toEqual(["Drifting Controller"]);
  });

  it("reinitializes with the password: a cold start relinquishes commands", async () => {
    await probe.client.writeProperty(
      { address },
      { type: 2, instance: 1 } as never,
      PROPERTIES.presentValue,
      [{ type: 4, value: 23.5 }] as never,
      { priority: 8 },
    );
    expect(await probe.read(address, 2, 1, PROPERTIES.presentValue)).toEqual([23.5]);
    const denied = await post("reinitialize", { state: "coldstart", password: "guess" });
    expect(denied.status).toBe(409);
    const ok = await post("reinitialize", { state: "coldstart", password: PASSWORD });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(await probe.read(address, 2, 1, PROPERTIES.presentValue)).toEqual([0]);
    const refused = await post("reinitialize", { state: "start_backup", password: PASSWORD });
    expect(refused.status).toBe(409);
  });

  it("is admin only, audited without the password, and the password is in no log", async () => {
    const anonymous = await post("reinitialize", { state: "warmstart", password: PASSWORD }, null);
    expect(anonymous.status).toBe(401);
    const tooLong = await post("communication", { state: "disable", password: "x".repeat(21) });
    expect(tooLong.status).toBe(422);

    const audit = await api<{
      records: { action: string; result: string; details?: unknown; reason?: string }[];
    }>(sup.url, "/api/audit?action=devices.", { token: sup.token });
    const actions = audit.body.records.map((r) => `${r.action}:${r.result}`);
    expect(actions).toContain("devices.time_sync:ok");
    expect(actions).toContain("devices.communication_control:failed");
    expect(actions).toContain("devices.reinitialize:ok");
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("not-it");
    const dcc = audit.body.records.find(
      (r) => r.action === "devices.communication_control" && r.result === "ok",
    );
    expect(dcc?.details).toEqual({ state: "enable", minutes: 0 });
    const logs = sup.output() + readLogs(sup.dataDir);
    expect(logs).not.toContain(PASSWORD);
  });
});

function readLogs(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, "supervisor.log"), "utf8");
  } catch {
    return "";
  }
}
