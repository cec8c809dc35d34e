import { randomUUID } from "node:crypto";
import type { BACNetObjectID } from "@bacnet-js/client";
import { encodeValue, OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import {
  api,
  DEMO_PLANT_MODE,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  DEMO_ZONE_TEMP,
  eventually,
  reheatOverrideFlow,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProbe, type ProbeTarget, receiverOf, targetOf } from "../test/bacnet-probe";
import { packageOf } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { screenshot } from "./support/screenshots";

// Own loopback range and ports (browser tests run without the packet capture, so outside its range).
const SIM_BIND = "127.0.13.2";
const SIM_PORT = 47863;
const SUPERVISOR_BACNET_PORT = 47864;
const PROBE_PORT = 47865;

const ref = (point: string) => `${point}.presentValue`;

describe("dashboard point detail: the priority array, units and state texts", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  let browser: BrowserSession;
  let vavAddress: ProbeTarget;

  /** Another writer at priority 5, straight to the device, as a workstation would. */
  const writeDirect = (value: number | null) =>
    probe.client.writeProperty(
      receiverOf(vavAddress),
      { type: OBJECT_TYPES.analogOutput, instance: 2 } as BACNetObjectID,
      PROPERTIES.presentValue,
      [encodeValue(OBJECT_TYPES.analogOutput, PROPERTIES.presentValue, value) as never],
      { priority: 5 },
    );

  beforeAll(async () => {
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await startSupervisor({
      bacnetPort: SUPERVISOR_BACNET_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
    });
    probe = await openProbe("127.0.0.1", PROBE_PORT);
    const found = await api<{
      devices: { device_id: number; address: string; network: number | null; mac: number[] | null }[];
    }>(sup.url, "/api/devices/discover?wait=true", { body: { timeout_ms: 2000 }, token: sup.token });
    const vav = found.body.devices.find((d) => d.device_id === DEMO_VAV1);
    if (!vav) throw new Error(`VAV-1 not discovered: ${JSON.stringify(found.body)}`);
    // VAV-1 sits behind the demo's router on network 2001: the probe goes through it.
    vavAddress = targetOf(vav);
    const deployed = await api(sup.url, "/api/config/deploy", {
      body: packageOf(reheatOverrideFlow({ flowId: randomUUID() }), "Demo"),
      token: sup.token,
    });
    if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(deployed.body)}`);
    const watched = await api(sup.url, "/api/data/watch", {
      method: "PUT",
      body: { points: [DEMO_PLANT_MODE] },
      token: sup.token,
    });
    if (watched.status !== 200) throw new Error(`watch list: ${JSON.stringify(watched.body)}`);
    await eventually(async () => {
      const slot = await probe.read(vavAddress, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, 8);
      return slot[0] === 35 ? true : undefined;
    });
    await writeDirect(80);
    browser = await openBrowser({ width: 1400, height: 1100 });
  });

  afterAll(async () => {
    if (probe && vavAddress) await writeDirect(null).catch(() => undefined);
    probe?.close();
    await browser?.close();
    await sup?.stop();
    await sim?.stop();
  });

  it("shows values with their units and a multi-state value by its state text", async () => {
    const { page } = browser;
    await openView(page, sup.url, "points", sup.token);
    const value = (point: string) =>
      page.locator(`[data-testid="point-row"][data-ref="${ref(point)}"] [data-testid="point-value"]`);
    await expect
      .poll(() => value(DEMO_ZONE_TEMP).textContent(), { timeout: 15_000 })
      .toMatch(/^\d+(\.\d+)? °C$/);
    await expect.poll(() => value(DEMO_REHEAT_VALVE).textContent()).toMatch(/^\d+(\.\d+)? %$/);
    // The watch poller samples every 5 s; Plant Mode rests at state 4 of Off/Cooling/Heating/Auto.
    await expect.poll(() => value(DEMO_PLANT_MODE).textContent(), { timeout: 15_000 }).toBe("Auto");
  });

  it("opens a point's 16 priority slots: the flow's slot by flow and node, the other writer winning", async () => {
    const { page } = browser;
    await openView(page, sup.url, "points", sup.token);
    await page
      .locator(`[data-testid="point-row"][data-ref="${ref(DEMO_REHEAT_VALVE)}"] [data-testid="point-open"]`)
      .click();
    const detail = page.getByTestId("point-detail");
    await detail.waitFor();
    const slots = detail.getByTestId("priority-slot");
    await expect.poll(() => slots.count()).toBe(16);
    expect(await slots.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-priority")))).toEqual(
      Array.from({ length: 16 }, (_, i) => String(i + 1)),
    );

    const slot = (priority: number) =>
      detail.locator(`[data-testid="priority-slot"][data-priority="${priority}"]`);
    expect(await slot(8).getAttribute("data-source")).toBe("flow");
    expect(await slot(8).getByTestId("slot-writer").textContent()).toBe("Reheat test · Reheat valve");
    expect(await slot(8).getByTestId("slot-value").textContent()).toBe("35 %");
    await expect.poll(() => slot(5).getAttribute("data-source"), { timeout: 8000 }).toBe("other");
    expect(await slot(5).getByTestId("slot-writer").textContent()).toBe("Other writer");
    expect(await slot(5).getByTestId("slot-value").textContent()).toBe("80 %");
    expect(await slot(5).getAttribute("data-winner")).toBe("true");
    expect(await slot(8).getAttribute("data-winner")).toBe("false");
    expect(await detail.getByTestId("point-detail-winner").textContent()).toBe("Priority 5");
    expect(await detail.getByTestId("point-detail-present").textContent()).toBe("80 %");
    expect(await detail.getByTestId("point-detail-default").textContent()).toBe("0 %");
    expect(await detail.locator('[data-source="empty"]').count()).toBe(14);
    // The detail is in the address, so a reload (or a link) keeps it open.
    expect(decodeURIComponent(page.url())).toContain(`#/points?point=${ref(DEMO_REHEAT_VALVE)}`);
    await screenshot(page, "point-detail");

    // The other writer steps back: the flow's priority 8 takes control again.
    await writeDirect(null);
    await expect
      .poll(() => detail.getByTestId("point-detail-winner").textContent(), { timeout: 8000 })
      .toBe("Priority 8");
    expect(await slot(8).getAttribute("data-winner")).toBe("true");
    expect(await slot(5).getAttribute("data-source")).toBe("empty");
  });
});
