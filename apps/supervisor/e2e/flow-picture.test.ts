import type { FlowConfigurationInput } from "@bms/schemas";
import { api, testFlow } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf } from "../test/fixtures";
import { type BrowserSession, openBrowser } from "./support/browser";
import { openView } from "./support/dashboard";
import { screenshot } from "./support/screenshots";
import { type DashboardStack, startStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.15.2";
const SIM_PORT = 47875;
const SUPERVISOR_BACNET_PORT = 47876;
const SETPOINT = 21;

/** Zone temperature into a PID, a math node and an alert, so every kind of port carries a value. */
function pictureFlow(): FlowConfigurationInput {
  return testFlow({
    name: "Picture ports",
    nodes: [
      {
        id: "temp",
        type: "sensor_read",
        position: { x: 0, y: 0 },
        config: { point: "bacnet:1001/analogInput:1" },
      },
      { id: "sp", type: "constant", position: { x: 0, y: 160 }, config: { value: SETPOINT } },
      { id: "pid", type: "pid", position: { x: 300, y: 0 }, config: { kp: 2, ti_s: 0 } },
      { id: "diff", type: "math", position: { x: 600, y: 0 }, config: { expression: "a - b" } },
      { id: "hot", type: "threshold", position: { x: 300, y: 300 }, config: { operator: ">", value: 5 } },
      // Placed where the math node, now one row per port, reaches: it must be moved down, not covered.
      { id: "alarm", type: "alert", position: { x: 600, y: 200 }, config: { message: "Zone at $value" } },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "pid", to_input: "pv" },
      { from_node: "sp", from_output: "value", to_node: "pid", to_input: "setpoint" },
      { from_node: "temp", from_output: "value", to_node: "diff", to_input: "a" },
      { from_node: "sp", from_output: "value", to_node: "diff", to_input: "b" },
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "hot", from_output: "result", to_node: "alarm", to_input: "condition" },
      { from_node: "temp", from_output: "value", to_node: "alarm", to_input: "value" },
    ],
  });
}

/** One port row as drawn: its row index, its label's and its value chip's vertical centres. */
interface DrawnPort {
  row: number;
  labelY: number;
  chipY: number | null;
  value: string | null;
}

/**
 * Reads every port row of one node in a single pass, so all values come from the same render
 * (the view polls; two separate reads could straddle a scan).
 */
function drawnPorts(page: BrowserSession["page"], nodeId: string) {
  return page.evaluate((id) => {
    const centre = (el: Element | null) => {
      if (!el) return null;
      const box = el.getBoundingClientRect();
      return box.top + box.height / 2;
    };
    const out: Record<string, DrawnPort> = {};
    for (const g of document.querySelectorAll(`[data-testid^="exec-port-${id}-"]`)) {
      const key = (g.getAttribute("data-testid") ?? "").slice(`exec-port-${id}-`.length);
      const chip = g.querySelector("[data-value]");
      out[key] = {
        row: Number(g.getAttribute("data-row")),
        labelY: centre(g.querySelector("text.port-label"))!,
        chipY: centre(chip?.querySelector("rect") ?? null),
        value: chip?.getAttribute("data-value") ?? null,
      };
    }
    return out;
  }, nodeId) as Promise<Record<string, DrawnPort>>;
}

/** Every value sits on its own port's row: level with that port's name and with no other's. */
function expectEachValueOnItsRow(ports: Record<string, DrawnPort>, rowHeight: number) {
  const rows = Object.values(ports).map((p) => p.row);
  expect(new Set(rows).size, "one row per port").toBe(rows.length);
  for (const [key, port] of Object.entries(ports)) {
    if (port.chipY === null) continue;
    expect(Math.abs(port.chipY - port.labelY), `${key}: value level with its name`).toBeLessThan(2);
    for (const [other, p] of Object.entries(ports)) {
      if (other === key) continue;
      expect(Math.abs(port.chipY - p.labelY), `${key}'s value is not beside ${other}`).toBeGreaterThan(
        rowHeight / 2,
      );
    }
  }
}

const num = (text: string | null | undefined) => Number.parseFloat((text ?? "").replace(/,/g, ""));

describe("the execution picture draws each value on its own port", () => {
  let stack: DashboardStack;
  let browser: BrowserSession;

  beforeAll(async () => {
    stack = await startStack({
      simBind: SIM_BIND,
      simPort: SIM_PORT,
      supervisorBacnetPort: SUPERVISOR_BACNET_PORT,
    });
    const deploy = await api(stack.sup.url, "/api/config/deploy", {
      body: packageOf(pictureFlow(), "Picture ports"),
      token: stack.sup.token,
    });
    if (deploy.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(deploy.body)}`);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("PID, math and alert: inputs on input rows, outputs on output rows, port by port", async () => {
    const { page } = browser;
    await openView(page, stack.sup.url, "execution", stack.sup.token);
    for (const id of ["pid", "diff", "alarm"]) {
      await expect
        .poll(() => page.getByTestId(`exec-node-${id}`).getAttribute("data-status"), { timeout: 15_000 })
        .toBe("completed");
    }
    // Every value of interest is drawn (a scan's statuses reach the picture on the next poll).
    await expect
      .poll(async () => {
        const pid = await drawnPorts(page, "pid");
        const alarm = await drawnPorts(page, "alarm");
        return [pid["in-pv"]?.value, pid["out-error"]?.value, alarm["out-state"]?.value].every(Boolean);
      })
      .toBe(true);
    // One row's height on screen: the picture is scaled to fit, so measure it from two rows.
    const pid = await drawnPorts(page, "pid");
    const rowHeight = pid["in-setpoint"]!.labelY - pid["in-pv"]!.labelY;
    expect(rowHeight).toBeGreaterThan(5);

    // PID: five inputs then three outputs, each on a row of its own.
    expect(Object.fromEntries(Object.entries(pid).map(([k, p]) => [k, p.row]))).toEqual({
      "in-pv": 0,
      "in-setpoint": 1,
      "in-enable": 2,
      "in-track": 3,
      "in-track_value": 4,
      "out-output": 5,
      "out-error": 6,
      "out-saturated": 7,
    });
    expectEachValueOnItsRow(pid, rowHeight);
    const pv = num(pid["in-pv"]!.value);
    expect(pv).toBeGreaterThan(15);
    expect(num(pid["in-setpoint"]!.value)).toBe(SETPOINT);
    // The error is the gap between the two inputs drawn above it (rounded to 2 decimals on screen).
    expect(Math.abs(Math.abs(num(pid["out-error"]!.value)) - Math.abs(SETPOINT - pv))).toBeLessThan(0.02);
    expect(num(pid["out-output"]!.value)).toBeGreaterThanOrEqual(0);
    expect(pid["out-saturated"]!.value).toMatch(/^(On|Off)$/);

    // Math: a and b where they arrive, the result on the output row; only the two inputs it has
    // (input_count, default 2) are drawn, not all eight a..h.
    const diff = await drawnPorts(page, "diff");
    expect(Object.keys(diff).sort()).toEqual(["in-a", "in-b", "out-result"]);
    expect(diff["out-result"]!.row).toBe(2);
    expectEachValueOnItsRow(diff, rowHeight);
    const a = num(diff["in-a"]!.value);
    expect(num(diff["in-b"]!.value)).toBe(SETPOINT);
    expect(Math.abs(num(diff["out-result"]!.value) - (a - SETPOINT))).toBeLessThan(0.02);

    // Alert: its state beside "State", not beside the "Value" input as before.
    const alarm = await drawnPorts(page, "alarm");
    expect(Object.fromEntries(Object.entries(alarm).map(([k, p]) => [k, p.row]))).toEqual({
      "in-condition": 0,
      "in-value": 1,
      "in-ack": 2,
      "out-active": 3,
      "out-state": 4,
      "out-message": 5,
    });
    expectEachValueOnItsRow(alarm, rowHeight);
    expect(alarm["in-condition"]!.value).toBe("On");
    expect(num(alarm["in-value"]!.value)).toBeGreaterThan(15);
    expect(alarm["out-active"]!.value).toBe("On");
    expect(alarm["out-state"]!.value).toBe("active");
    expect(alarm["out-message"]!.value).toMatch(/^Zone at \d/);

    // A point's value carries its units, as the controller names them (AI1 is in degrees Celsius),
    // while computed values (the PID's error, the math result) stay bare numbers.
    await expect
      .poll(async () => (await drawnPorts(page, "temp"))["out-value"]?.value ?? "", { timeout: 15_000 })
      .toMatch(/^\d+(\.\d+)? °C$/);
    expect(pid["out-error"]!.value).not.toMatch(/°C/);

    // Taller nodes never cover one another.
    const boxes = await Promise.all(
      ["temp", "sp", "pid", "diff", "hot", "alarm"].map(async (id) => ({
        id,
        box: (await page.getByTestId(`exec-node-${id}`).boundingBox())!,
      })),
    );
    for (const [i, { id, box }] of boxes.entries()) {
      for (const other of boxes.slice(i + 1)) {
        const apart =
          box.x + box.width <= other.box.x ||
          other.box.x + other.box.width <= box.x ||
          box.y + box.height <= other.box.y ||
          other.box.y + other.box.height <= box.y;
        expect(apart, `${id} and ${other.id} overlap`).toBe(true);
      }
    }
    await screenshot(page, "execution-ports");
  });
});
