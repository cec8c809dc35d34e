import { describe, expect, it } from "vitest";
import { Actuator, DelayedStatus } from "./actuator";

describe("Actuator", () => {
  it("travels at its stroke rate and stops at the command", () => {
    const damper = new Actuator(0, 100);
    expect(damper.step(50, 10)).toBeCloseTo(10);
    expect(damper.step(50, 30)).toBeCloseTo(40);
    expect(damper.step(50, 30)).toBeCloseTo(50);
    expect(damper.step(120, 1000)).toBe(100); // clamps to travel limits
  });
});

describe("DelayedStatus (status follows command)", () => {
  it("turns on only after the start delay", () => {
    const fan = new DelayedStatus(false, 8, 2);
    expect(fan.step(true, 0)).toBe(false);
    expect(fan.step(true, 7)).toBe(false);
    expect(fan.step(true, 8)).toBe(true);
  });

  it("uses the off delay for stopping and forgets a command that was withdrawn", () => {
    const fan = new DelayedStatus(true, 8, 2);
    expect(fan.step(false, 0)).toBe(true);
    expect(fan.step(true, 1)).toBe(true); // command back on before the delay: nothing happens
    expect(fan.step(false, 1.5)).toBe(true);
    expect(fan.step(false, 3.5)).toBe(false);
  });
});
