import { describe, expect, it } from "vitest";
import { instanceHarness } from "../testing/subflow-instance";
import { starterSubflows } from "./index";

const P = (type: string, n: number) => `bacnet:2005/${type}:${n}.presentValue`;
const CMD = [P("binaryOutput", 51), P("binaryOutput", 61)];
const STATUS = [P("binaryInput", 51), P("binaryInput", 61)];
const FAULT = [P("binaryInput", 52), P("binaryInput", 62)];
const SPEED = [P("analogOutput", 51), P("analogOutput", 61)];
const DP = P("analogInput", 3);

function pumps(parameters: Record<string, number | string> = {}) {
  const h = instanceHarness(starterSubflows(), {
    id: "lead-lag-pumps",
    points: {
      p1_cmd: CMD[0]!,
      p1_status: STATUS[0]!,
      p1_fault: FAULT[0]!,
      p1_speed: SPEED[0]!,
      p2_cmd: CMD[1]!,
      p2_status: STATUS[1]!,
      p2_fault: FAULT[1]!,
      p2_speed: SPEED[1]!,
      loop_dp: DP,
    },
    parameters,
  });
  // A plant that proves flow for a commanded, healthy pump, and whose DP follows the total pump speed
  // with a lag of a few seconds.
  const plant = {
    cmd: [false, false],
    speed: 30,
    fault: [false, false],
    seized: [false, false],
    dpGain: 1,
    dp: 0,
  };
  const alerts: string[] = [];
  const commanded: (boolean | null)[] = [null, null];
  /** Scans once per second for `seconds`; returns the scan (1-based) at which each command last changed. */
  async function run(seconds: number) {
    const changedAt: number[] = [0, 0];
    for (let s = 1; s <= seconds; s++) {
      for (const i of [0, 1]) {
        h.setPoint(FAULT[i]!, plant.fault[i] ? 1 : 0);
        h.setPoint(STATUS[i]!, plant.cmd[i] && !plant.fault[i] && !plant.seized[i] ? 1 : 0);
      }
      const running = [0, 1].filter((i) => plant.cmd[i] && !plant.fault[i] && !plant.seized[i]).length;
      plant.dp += (running * plant.speed * plant.dpGain - plant.dp) * 0.3;
      h.setPoint(DP, plant.dp);
      const scan = await h.scan(1000);
      for (const a of scan.alerts) alerts.push(`${a.state} ${a.message}`);
      for (const w of scan.writes) {
        const unit = CMD.indexOf(w.point);
        if (unit >= 0) {
          plant.cmd[unit] = w.value === true;
          commanded[unit] = w.value === true;
          changedAt[unit] = s;
        }
        if (w.point === SPEED[0]) plant.speed = w.value as number;
      }
    }
    return changedAt;
  }
  return { h, plant, commanded, alerts, run };
}

describe("starter: lead/lag pumps", () => {
  it("runs one pump and holds the loop DP at its setpoint with the speed loop", async () => {
    const { h, commanded, plant, run } = pumps({ dp_setpoint: 60 });
    await run(300);
    expect(commanded.filter(Boolean)).toHaveLength(1);
    // DP = speed (one pump, gain 1): the loop settles at 60 %.
    expect(plant.speed).toBeCloseTo(60, 0);
    expect(h.output("unit", "out1")?.value).toBe(1);
  });

  it("fails over to the lag pump within two scans of a fault on the lead, and raises the alarm", async () => {
    const { h, commanded, plant, alerts, run } = pumps();
    await run(120);
    expect(alerts).toEqual([]);
    const lead = commanded.indexOf(true);
    const lag = 1 - lead;
    plant.fault[lead] = true;
    let switched = 0;
    for (let s = 1; s <= 5 && !switched; s++) {
      await run(1);
      if (commanded[lag] && !commanded[lead]) switched = s;
    }
    expect(switched).toBeGreaterThan(0);
    expect(switched).toBeLessThanOrEqual(2);
    expect(h.output("unit", "out2")?.value).toBe(lag + 1);
    expect(alerts).toEqual([`active Pump ${lead + 1} failed (fault or no flow)`]);
    // The fault clears: the alarm clears, and the healthy pump keeps running (no needless change-over).
    plant.fault[lead] = false;
    await run(10);
    expect(alerts.at(-1)).toBe(`cleared Pump ${lead + 1} failed (fault or no flow)`);
    expect(commanded[lag]).toBe(true);
  });

  it("fails over on no flow (commanded, not running for the proof time) and latches the failure", async () => {
    const { commanded, plant, run } = pumps({ proof_s: 15 });
    await run(120);
    const lead = commanded.indexOf(true);
    plant.seized[lead] = true;
    await run(14);
    expect(commanded[lead]).toBe(true);
    await run(3);
    expect(commanded[lead]).toBe(false);
    expect(commanded[1 - lead]).toBe(true);
    // The stopped pump no longer "fails" to prove flow; the latch keeps it out until an operator resets it.
    plant.seized[lead] = false;
    await run(600);
    expect(commanded[lead]).toBe(false);
  });

  it("adds the lag pump when one pump at full speed cannot hold the DP, and drops it again", async () => {
    const { commanded, plant, run } = pumps({ dp_setpoint: 60, stage_delay_s: 30, min_run_s: 30 });
    plant.dpGain = 0.5; // one pump at 100 % gives 50 kPa: not enough
    await run(400);
    expect(commanded).toEqual([true, true]);
    plant.dpGain = 2; // demand fell: two pumps at minimum speed overshoot
    await run(400);
    expect(commanded.filter(Boolean)).toHaveLength(1);
  });

  it("rotates the lead every rotate_hours in interval mode (weekly by default)", async () => {
    const { commanded, run } = pumps({ rotation: "interval", rotate_hours: 1 });
    await run(60);
    const first = commanded.indexOf(true);
    await run(3600);
    expect(commanded.indexOf(true)).toBe(1 - first);
    expect(commanded.filter(Boolean)).toHaveLength(1);
  });
});
