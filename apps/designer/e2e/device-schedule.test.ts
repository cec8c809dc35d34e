import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceScheduleResponse } from "@bms/schemas";
import { api, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProjectInUi } from "./support/projects";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback range (127.0.48.0/24, the bacnet-services range) and ports no other file uses.
const SIM_BIND = "127.0.48.20";
const SIM_PORT = 47889;
const SUP_PORT = 47892;
const DEVICE = 4811;

function siteFile(): string {
  const file = join(tempDir("schedule-e2e"), "site.json");
  const weekday = [
    { time: "07:00", value: 1 },
    { time: "18:00", value: 0 },
  ];
  writeFileSync(
    file,
    JSON.stringify({
      name: "Schedule grid",
      devices: [
        {
          instance: DEVICE,
          name: "Floor 3 Controller",
          objects: [{ type: "binaryValue", instance: 1, name: "Occupied", commandable: true }],
          schedules: [
            {
              instance: 1,
              name: "Floor 3 Occupancy",
              schedule: {
                weekly: [weekday, [], weekday, weekday, weekday, [], []],
                exceptions: [
                  {
                    period: { kind: "date", date: "2026-12-25" },
                    events: [{ time: "00:00", value: 0 }],
                    priority: 1,
                  },
                ],
                scheduleDefault: 0,
                valueType: "enumerated",
              },
            },
          ],
        },
      ],
    }),
  );
  return file;
}

/** Issue 14: a device's BACnet Schedule edited in the Designer's week grid, written to the device. */
describe("Designer: a device schedule in the week grid", () => {
  let stack: DesignerStack;

  beforeAll(async () => {
    stack = await startDesignerStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorPort: SUP_PORT,
      site: siteFile(),
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("shows the device's week as periods with what it does next, and writes an added period", async () => {
    const page = stack.browser.page;
    await createProjectInUi(page, stack.designer.url, "Device schedule");
    await page.getByTestId("side-tab-bacnet").click();
    await page.getByTestId("bacnet-discover").click();
    await page.getByTestId(`bacnet-device-${DEVICE}`).waitFor({ timeout: 15_000 });
    await page.getByTestId(`bacnet-device-toggle-${DEVICE}`).click();
    const row = page.getByTestId(`bacnet-object-${DEVICE}-schedule-1`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId("bacnet-object-schedule").click();

    // The device's transitions appear as periods: Monday 07:00-18:00 on, then off until midnight.
    await page.getByTestId("schedule-dialog").waitFor({ timeout: 15_000 });
    const monday = page.getByTestId("schedule-period-monday-0");
    await monday.waitFor();
    expect(await page.getByTestId("schedule-period-monday-1").count()).toBe(1);
    expect(await page.getByTestId("schedule-period-tuesday-0").count()).toBe(0);
    expect(await page.getByTestId("schedule-exception-0").count()).toBe(1);
    const next = await page.getByTestId("device-schedule-next").textContent();
    expect(next).toMatch(/→ (on|off)/);

    // Add a period on Tuesday without the mouse (the first free hour from 08:00), then write it.
    await page.getByTestId("schedule-add-tuesday").click();
    await page.getByTestId("schedule-period-tuesday-0").waitFor();
    await page.getByTestId("device-schedule-save").click();
    await expect
      .poll(async () => page.getByTestId("device-schedule-save").textContent(), { timeout: 10_000 })
      .toContain("Written");

    // The device holds it: read back through the supervisor, independent of the browser.
    const stored = await api<DeviceScheduleResponse>(stack.sup.url, `/api/devices/${DEVICE}/schedules/1`, {
      token: stack.sup.token,
    });
    expect(stored.body.schedule.weekly[1]).toEqual([
      { time: "08:00", value: 1 },
      { time: "09:00", value: null },
    ]);
    expect(stored.body.schedule.weekly[0]).toEqual([
      { time: "07:00", value: 1 },
      { time: "18:00", value: 0 },
    ]);
    expect(stored.body.schedule.exceptions).toHaveLength(1);
  });
});
