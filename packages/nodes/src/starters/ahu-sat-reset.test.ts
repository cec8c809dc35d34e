import { describe, expect, it } from "vitest";
import { instanceHarness } from "../testing/subflow-instance";
import { starterSubflows } from "./index";

const OAT = "bacnet:2001/analogInput:4.presentValue";
const SAT_SP = "bacnet:2001/analogValue:1.presentValue";

/** The reset with its demand input fed by a parameter the test turns, as the host flow would wire a max(). */
function reset(
  parameters: Record<string, number> = {},
  points: Record<string, string> = { oat: OAT, sat_setpoint: SAT_SP },
) {
  const h = instanceHarness(
    starterSubflows(),
    { id: "ahu-sat-reset", points, parameters },
    {
      nodes: [{ id: "demand", type: "parameter", config: { name: "demand", default: 0 } }],
      connections: [{ from_node: "demand", from_output: "value", to_node: "unit", to_input: "in1" }],
    },
  );
  const setpoint = () => h.output("unit", "out1")?.value as number;
  return { ...h, setpoint };
}

describe("starter: AHU supply-air temperature reset", () => {
  it.each([
    // demand %, OAT °C, settled setpoint °C
    [0, 10, 18],
    [100, 10, 12],
    [50, 10, 15],
    [0, 30, 12],
    [0, 20, 15],
    [50, 22, 13.5],
  ])("at %s percent demand and %s °C outside it settles at %s °C", async (demand, oat, expected) => {
    const h = reset();
    h.plant.parameters.set("demand", demand);
    const writes = await h.run(1800, 1, () => h.setPoint(OAT, oat));
    expect(h.setpoint()).toBeCloseTo(expected, 6);
    expect(writes.at(-1)).toMatchObject({ point: SAT_SP, value: h.setpoint() });
  });

  it("moves at most the rate limit per minute after a step in demand", async () => {
    const h = reset({ ramp_per_min: 0.5 });
    await h.run(60, 1, () => h.setPoint(OAT, 10));
    expect(h.setpoint()).toBe(18);
    h.plant.parameters.set("demand", 100);
    await h.run(60, 1);
    expect(h.setpoint()).toBeCloseTo(17.5, 6);
    // 5.5 °C more at 0.5 °C/min: 11 minutes.
    await h.run(600, 1);
    expect(h.setpoint()).toBeCloseTo(12.5, 6);
    await h.run(60, 1);
    expect(h.setpoint()).toBeCloseTo(12, 6);
  });

  it("falls back to the demand reset alone when the OAT sensor fails, within the limits", async () => {
    const h = reset({ ramp_per_min: 0 });
    h.plant.parameters.set("demand", 50);
    h.setPoint(OAT, null, "bad");
    await h.run(10);
    expect(h.setpoint()).toBe(15);
  });

  it("runs without the optional setpoint point: it only drives its output", async () => {
    const h = reset({}, { oat: OAT });
    h.plant.parameters.set("demand", 100);
    const writes = await h.run(1200, 1, () => h.setPoint(OAT, 10));
    expect(writes).toEqual([]);
    expect(h.setpoint()).toBe(12);
  });
});
