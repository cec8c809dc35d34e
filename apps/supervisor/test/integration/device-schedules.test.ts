import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type DeviceSchedule, evaluateSchedule, localDate } from "@bms/bacnet";
import type { DeviceScheduleResponse } from "@bms/schemas";
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

// Schedules and calendars on a device, end to end: the supervisor reads and writes a simulated
// controller's Schedule and Calendar objects over real UDP, and the device's Present_Value follows.
const SIM_BIND = "127.0.48.2";
const SIM_PORT = 47884;
const SUP_BIND = "127.0.48.1";
const SUP_PORT = 47885;
const DEVICE = 4801;

const officeHours: DeviceSchedule = {
  weekly: [
    ...[0, 1, 2, 3, 4].map(() => [
      { time: "07:00", value: 1 },
      { time: "18:00", value: 0 },
    ]),
    [
      { time: "08:00", value: 1 },
      { time: "12:00", value: 0 },
    ],
    [],
  ],
  exceptions: [
    { period: { kind: "date", date: "2026-12-25" }, events: [{ time: "00:00", value: 0 }], priority: 1 },
    {
      period: { kind: "weekNDay", month: 5, week: 6, wday: 1 },
      events: [{ time: "00:00", value: 0 }],
      priority: 2,
    },
  ],
  effectivePeriod: { from: "2026-01-01", to: "*" },
  scheduleDefault: 0,
  valueType: "enumerated",
};

function siteFile(): string {
  const file = join(tempDir("schedule-site"), "site.json");
  const site = {
    name: "Schedules",
    devices: [
      {
        instance: DEVICE,
        name: "AHU Scheduler",
        objects: [{ type: "binaryValue", instance: 1, name: "Occupied", commandable: true }],
        schedules: [
          { instance: 1, name: "Office Hours", schedule: officeHours },
          {
            instance: 2,
            name: "Zone Setpoint",
            schedule: { ...officeHours, exceptions: [], valueType: "real", scheduleDefault: 19 },
          },
        ],
        calendars: [{ instance: 1, name: "Holidays", dateList: [{ kind: "date", date: "2026-12-25" }] }],
      },
    ],
  };
  writeFileSync(file, JSON.stringify(site));
  return file;
}

describe("device schedules and calendars over BACnet/IP", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  const url = (path: string) => `/api/devices/${DEVICE}/${path}`;

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: siteFile() });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
    });
    await discoverDevice(sup, DEVICE);
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("reads a Schedule as the week grid's JSON, with the device's Present_Value and what comes next", async () => {
    const { status, body } = await api<DeviceScheduleResponse>(sup.url, url("schedules/1"));
    expect(status).toBe(200);
    expect(body.name).toBe("Office Hours");
    expect(body.schedule).toEqual(officeHours);
    // The device evaluates on its clock, the supervisor on its own: same machine, same answer.
    expect(body.present_value).toBe(evaluateSchedule(officeHours, new Date()).value);
    expect(body.now.value).toBe(body.present_value);
    expect(body.next.length).toBeGreaterThan(0);
    expect(new Date(body.next[0]!.at).getTime()).toBeGreaterThan(Date.now());
  });

  it("writes a schedule and the device's Present_Value follows, exceptions winning by priority", async () => {
    const today = localDate(new Date());
    const allDay = (value: number) => [{ time: "00:00", value }];
    const schedule: DeviceSchedule = {
      weekly: Array.from({ length: 7 }, () => allDay(21.5)),
      exceptions: [
        { period: { kind: "date", date: today }, events: allDay(18), priority: 3 },
        { period: { kind: "range", from: today, to: "*" }, events: allDay(16), priority: 9 },
      ],
      effectivePeriod: { from: "*", to: "*" },
      scheduleDefault: 12,
      valueType: "real",
    };
    const put = await api<DeviceScheduleResponse>(sup.url, url("schedules/2"), {
      method: "PUT",
      body: schedule,
      token: sup.token,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.schedule).toEqual(schedule);
    expect(put.body.present_value).toBe(18);
    expect(put.body.now).toEqual({ value: 18, source: "exception" });

    // Without the exceptions the week applies; outside the effective period the default does.
    const weekOnly = { ...schedule, exceptions: [] };
    const second = await api<DeviceScheduleResponse>(sup.url, url("schedules/2"), {
      method: "PUT",
      body: weekOnly,
      token: sup.token,
    });
    expect(second.body.present_value).toBe(21.5);
    const later = { ...weekOnly, effectivePeriod: { from: "2154-01-01", to: "*" } };
    const third = await api<DeviceScheduleResponse>(sup.url, url("schedules/2"), {
      method: "PUT",
      body: later,
      token: sup.token,
    });
    expect(third.body.present_value).toBe(12);
    expect(third.body.schedule.effectivePeriod).toEqual({ from: "2154-01-01", to: "*" });

    const audit = await api<{ records: { action: string; target: string; result: string }[] }>(
      sup.url,
      "/api/audit?action=devices.schedule.write",
      { token: sup.token },
    );
    expect(audit.body.records.filter((r) => r.result === "ok").length).toBeGreaterThanOrEqual(3);
    expect(audit.body.records[0]?.target).toBe(`bacnet:${DEVICE}/schedule:2`);
  });

  it("refuses a bad schedule with its paths and leaves the device's as it was", async () => {
    const before = await api<DeviceScheduleResponse>(sup.url, url("schedules/1"));
    const bad = {
      ...officeHours,
      weekly: [[{ time: "25:00", value: 1 }], [], [], [], [], [], []],
      exceptions: [{ ...officeHours.exceptions[0], priority: 17 }],
    };
    const answer = await api<{ errors: { path: string; message: string }[] }>(sup.url, url("schedules/1"), {
      method: "PUT",
      body: bad,
      token: sup.token,
    });
    expect(answer.status).toBe(422);
    const paths = answer.body.errors.map((e) => e.path);
    expect(paths).toContain("weekly[0][0].time");
    expect(paths).toContain("exceptions[0].priority");
    const after = await api<DeviceScheduleResponse>(sup.url, url("schedules/1"));
    expect(after.body.schedule).toEqual(before.body.schedule);
    // The device fixes a schedule's datatype: a real-valued week for a binary schedule is refused.
    const retyped = await api<{ errors: { path: string }[] }>(sup.url, url("schedules/1"), {
      method: "PUT",
      body: { ...officeHours, valueType: "real" },
      token: sup.token,
    });
    expect(retyped.status).toBe(422);
    expect(retyped.body.errors.map((e) => e.path)).toEqual(["valueType"]);
    // A schedule the device does not have is the device's answer, not a timeout.
    const missing = await api(sup.url, url("schedules/99"));
    expect(missing.status).toBe(409);
    // Reading needs no operator, writing does.
    const viewerWrite = await api(sup.url, url("schedules/1"), { method: "PUT", body: officeHours });
    expect(viewerWrite.status).toBe(401);
  });

  it("reads and writes a Calendar; its Present_Value says whether today is listed", async () => {
    const first = await api<{ name: string; present_value: boolean; date_list: unknown[] }>(
      sup.url,
      url("calendars/1"),
    );
    expect(first.status).toBe(200);
    expect(first.body.name).toBe("Holidays");
    expect(first.body.date_list).toEqual([{ kind: "date", date: "2026-12-25" }]);
    expect(first.body.present_value).toBe(localDate(new Date()) === "2026-12-25");

    const dateList = [
      { kind: "date", date: localDate(new Date()) },
      { kind: "range", from: "2027-07-01", to: "2027-07-14" },
      { kind: "weekNDay", month: 255, week: 255, wday: 7 },
    ];
    const put = await api<{ present_value: boolean; date_list: unknown[] }>(sup.url, url("calendars/1"), {
      method: "PUT",
      body: { date_list: dateList },
      token: sup.token,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.date_list).toEqual(dateList);
    expect(put.body.present_value).toBe(true);
  });
});
