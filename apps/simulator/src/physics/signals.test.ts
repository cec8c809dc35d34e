import { describe, expect, it } from "vitest";
import { SimDevice } from "../device/sim-device";
import { SimObject } from "../objects/sim-object";
import type { StepContext } from "./behavior";
import { FollowSignal, SineSignal } from "./signals";

const device = new SimDevice({ instance: 1, name: "d", address: "127.0.0.2" });
const ctx = (elapsedS: number, dtS = 1): StepContext => ({
  dtS,
  elapsedS,
  simTimeMs: elapsedS * 1000,
  env: { outdoorTempC: 20, occupancy: 0 },
  random: () => 0.5,
});

describe("SineSignal", () => {
  it("drifts smoothly between mean ± amplitude with the given period", () => {
    const ai = new SimObject({ type: 0, instance: 1, name: "t" });
    const sine = new SineSignal(device, ai, { mean: 23, amplitude: 3, periodS: 60, noise: 0, phaseS: 0 });
    const values: number[] = [];
    for (let t = 0; t <= 60; t += 1) {
      sine.step(ctx(t));
      values.push(ai.presentValue);
    }
    expect(Math.max(...values)).toBeCloseTo(26, 1);
    expect(Math.min(...values)).toBeCloseTo(20, 1);
    expect(values[15]).toBeCloseTo(26, 1);
    for (let i = 1; i < values.length; i++)
      expect(Math.abs((values[i] ?? 0) - (values[i - 1] ?? 0))).toBeLessThan(0.4);
  });
});

describe("FollowSignal", () => {
  it("makes a status follow its command after the delay", () => {
    const bo = new SimObject({ type: 4, instance: 1, name: "cmd", relinquishDefault: 0 });
    const bi = new SimObject({ type: 3, instance: 1, name: "status" });
    const follow = new FollowSignal(device, bi, bo, 3);
    bo.writePresentValue(1, 8);
    follow.step(ctx(10));
    expect(bi.presentValue).toBe(0);
    follow.step(ctx(12));
    expect(bi.presentValue).toBe(0);
    follow.step(ctx(13));
    expect(bi.presentValue).toBe(1);
  });
});
