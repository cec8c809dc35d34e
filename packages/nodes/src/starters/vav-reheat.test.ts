import { describe, expect, it } from "vitest";
import { instanceHarness, lastWrites } from "../testing/subflow-instance";
import { starterSubflows } from "./index";

const ZONE = "bacnet:3001/analogInput:1.presentValue";
const OCC = "bacnet:3001/binaryInput:1.presentValue";
const DAMPER = "bacnet:3001/analogOutput:1.presentValue";
const REHEAT = "bacnet:3001/analogOutput:2.presentValue";

function vav(parameters: Record<string, number> = {}) {
  return instanceHarness(starterSubflows(), {
    id: "vav-cooling-reheat",
    points: { zone_temp: ZONE, occupancy: OCC, damper: DAMPER, reheat: REHEAT },
    parameters,
  });
}

/** A zone that warms with its internal gains and is cooled by airflow and heated by the reheat coil. */
class Zone {
  constructor(public temp: number) {}
  step(damper: number, reheat: number, gainK: number, s: number) {
    const air = damper / 100;
    const supply = 13 + (reheat / 100) * 22;
    this.temp += (gainK / 60 + air * (supply - this.temp) * 0.004) * s;
  }
}

describe("starter: VAV cooling with reheat", () => {
  it("rests at minimum airflow with the valve shut inside the deadband", async () => {
    const h = vav();
    h.setPoint(OCC, 1);
    const last = lastWrites(await h.run(600, 5, () => h.setPoint(ZONE, 22.5)));
    expect(last.get(DAMPER)).toBe(20);
    expect(last.get(REHEAT)).toBe(0);
  });

  it("opens the damper on cooling demand and keeps the reheat valve shut while cooling", async () => {
    const h = vav();
    h.setPoint(OCC, true);
    const writes = await h.run(600, 5, () => h.setPoint(ZONE, 26));
    const damper = writes.filter((w) => w.point === DAMPER).map((w) => w.value as number);
    expect(damper.at(-1)).toBe(100);
    // The damper rises monotonically from minimum as the PI loop integrates.
    expect(damper.every((v, i) => i === 0 || v >= damper[i - 1]!)).toBe(true);
    expect(writes.filter((w) => w.point === REHEAT).every((w) => w.value === 0)).toBe(true);
    expect(h.output("unit", "out1")?.value).toBe(100);
  });

  it("heats at the heating airflow with the reheat valve, and never heats and cools at once", async () => {
    const h = vav();
    h.setPoint(OCC, 1);
    const writes = await h.run(600, 5, () => h.setPoint(ZONE, 19));
    const last = lastWrites(writes);
    expect(last.get(DAMPER)).toBe(40);
    expect(last.get(REHEAT) as number).toBeGreaterThan(50);
    expect(h.output("unit", "out1")?.value).toBe(0);
    expect(h.output("unit", "out2")?.value as number).toBeGreaterThan(50);
  });

  it("sets back when unoccupied: 25 °C needs cooling occupied, not unoccupied", async () => {
    const occupied = vav();
    occupied.setPoint(OCC, 1);
    const unoccupied = vav();
    unoccupied.setPoint(OCC, 0);
    const hold = (h: ReturnType<typeof vav>) => h.run(300, 5, () => h.setPoint(ZONE, 25));
    expect(lastWrites(await hold(occupied)).get(DAMPER) as number).toBeGreaterThan(20);
    expect(lastWrites(await hold(unoccupied)).get(DAMPER)).toBe(20);
  });

  it("closes the loop: a warm zone is pulled into the band and settles at the cooling setpoint", async () => {
    const h = vav({ occ_cool_sp: 23 });
    h.setPoint(OCC, 1);
    const zone = new Zone(26);
    let damper = 20;
    let reheat = 0;
    const track = (writes: { point: string; value: unknown }[]) => {
      for (const w of writes) {
        if (w.point === DAMPER) damper = w.value as number;
        if (w.point === REHEAT) reheat = w.value as number;
      }
    };
    for (let t = 0; t < 7200; t += 5) {
      h.setPoint(ZONE, zone.temp);
      track((await h.scan(5000)).writes);
      zone.step(damper, reheat, 1, 5);
    }
    expect(zone.temp).toBeCloseTo(23, 0);
    expect(reheat).toBe(0);
    // 1 K/min of gains against 10 K of supply-air cooling needs about 42 % airflow.
    expect(damper).toBeCloseTo(42, -1);
  });

  it("holds its commands when the zone sensor fails (no write of garbage)", async () => {
    const h = vav();
    h.setPoint(OCC, 1);
    await h.run(60, 5, () => h.setPoint(ZONE, 26));
    h.setPoint(ZONE, null, "bad");
    expect(await h.run(60, 5)).toEqual([]);
  });

  it("refuses a setpoint outside the parameter's limits when expanded", () => {
    expect(() => vav({ occ_cool_sp: 45 })).toThrow(/Occupied cooling setpoint/);
  });
});
