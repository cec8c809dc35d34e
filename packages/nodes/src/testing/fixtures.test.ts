// Fixture flows (JSON, as the Designer saves them) run through the real compiler and runtime.
import { describe, expect, it } from "vitest";
import ahu from "./fixtures/ahu-supply-temp.json";
import branch from "./fixtures/cooling-branch.json";
import pumps from "./fixtures/lead-lag-pumps.json";
import { flowHarness } from "./harness";
import { FirstOrderPlusDeadTime } from "./plant";

const SAT = "bacnet:1001/analogInput:1.presentValue";
const FAN = "bacnet:1001/binaryInput:1.presentValue";
const VALVE = "bacnet:1001/analogOutput:1.presentValue";

describe("fixture: AHU supply-air temperature loop", () => {
  function run() {
    const h = flowHarness(ahu);
    const coil = new FirstOrderPlusDeadTime(0.2, 60, 10, 6);
    let valve = 0;
    const step = async (seconds: number) => {
      for (let s = 0; s < seconds; s++) {
        h.setPoint(SAT, coil.y);
        const result = await h.scan(1000);
        const write = result.writes.find((w) => w.point === VALVE);
        if (write && typeof write.value === "number") valve = write.value;
        coil.advance(valve, 1);
      }
    };
    return { h, coil, step, valve: () => valve };
  }

  it("declares its reads and writes for batching and relinquish", () => {
    const h = flowHarness(ahu);
    expect(h.plan.reads.sort()).toEqual([SAT, FAN].sort());
    expect(h.plan.writes).toEqual([VALVE]);
  });

  it("holds 18 °C with the fan on, follows a setpoint change, and never raises the low-limit alarm", async () => {
    const { h, coil, step, valve } = run();
    h.setPoint(FAN, true);
    await step(400);
    expect(coil.y).toBeCloseTo(18, 1);
    // (18 − 6) / 0.2 = 60 % is what this coil needs.
    expect(valve()).toBeCloseTo(60, 0);
    h.plant.parameters.set("sat_setpoint", 20);
    await step(400);
    expect(coil.y).toBeCloseTo(20, 1);
    expect(h.runtime.outputsOf("freeze")?.active?.value).toBe(false);
  });

  it("holds the valve while the fan is off, then resumes bumplessly", async () => {
    const { h, step, valve } = run();
    h.setPoint(FAN, true);
    await step(300);
    const before = valve();
    h.setPoint(FAN, false);
    await step(120);
    expect(h.runtime.outputsOf("loop")?.output?.value).toBeCloseTo(before, 6);
    h.setPoint(FAN, true);
    const result = await h.scan(1000);
    expect(result.runs.find((r) => r.nodeId === "loop")?.status).toBe("completed");
    expect(h.output("loop", "output")?.value).toBeCloseTo(before, 6);
  });

  it("raises the latched freeze alarm after 30 s below 8 °C, with the rendered message", async () => {
    const h = flowHarness(ahu);
    h.setPoint(FAN, false);
    h.setPoint(SAT, 7.04);
    await h.scan();
    const alerts = [];
    for (let s = 0; s < 31; s++) alerts.push(...(await h.scan(1000)).alerts);
    expect(alerts).toMatchObject([
      { state: "active", priority: "critical", message: "AHU-1 supply air low: 7 °C", latched: true },
    ]);
  });
});

describe("fixture: lead/lag chilled-water pumps", () => {
  const OUT = ["bacnet:2001/binaryOutput:1.presentValue", "bacnet:2001/binaryOutput:2.presentValue"];
  const OK2 = "bacnet:2001/binaryInput:1.presentValue";

  async function commands(h: ReturnType<typeof flowHarness>, seconds: number) {
    const last: (boolean | null)[] = [null, null];
    for (let s = 0; s < seconds; s++) {
      for (const w of (await h.scan(1000)).writes) last[OUT.indexOf(w.point)] = w.value as boolean;
    }
    return last;
  }

  it("runs one pump at 40 %, adds the lag pump at 60 % after the stage delay", async () => {
    const h = flowHarness(pumps);
    expect(await commands(h, 5)).toEqual([true, false]);
    h.plant.parameters.set("pump_demand", 60);
    expect(await commands(h, 10)).toEqual([true, false]);
    expect(await commands(h, 30)).toEqual([true, true]);
  });

  it("fails over at once when the running pump faults, and counts its hours", async () => {
    const h = flowHarness(pumps);
    await commands(h, 3600);
    expect(h.output("hours", "runtime_hours")?.value).toBeCloseTo(1, 2);
    h.setPoint(OK2, false);
    expect(await commands(h, 1)).toEqual([false, true]);
  });
});

describe("fixture: conditional cooling/heating branch", () => {
  const TEMP = "bacnet:100/analogInput:1.presentValue";
  const COOL = "bacnet:100/analogOutput:1.presentValue";
  const HEAT = "bacnet:100/analogOutput:2.presentValue";

  const cases: [number, string, number, string[]][] = [
    [26, COOL, 100, ["heat_pct", "heat"]],
    [24.75, COOL, 50, ["heat_pct", "heat"]],
    [20, HEAT, 40, ["cool_pct", "cool"]],
  ];
  it.each(cases)(
    "at %s °C commands only %s (= %s %%) and skips the other branch",
    async (temp, point, value, skipped) => {
      const h = flowHarness(branch);
      h.setPoint(TEMP, temp);
      const result = await h.scan();
      expect(result.writes.map((w) => [w.point, w.value])).toEqual([[point, value]]);
      expect(result.runs.filter((r) => r.status === "skipped").map((r) => r.nodeId)).toEqual(skipped);
      expect(result.records.map((r) => r.name)).toEqual(["temp", "time"]);
    },
  );

  it("a failed sensor takes no branch: neither output is written", async () => {
    const h = flowHarness(branch);
    h.setPoint(TEMP, null, "bad");
    expect((await h.scan()).writes).toEqual([]);
  });
});
