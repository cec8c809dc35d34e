import { describe, expect, it } from "vitest";
import { repeatPasses } from "./repeating-pass";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("repeatPasses", () => {
  it("starts after the first delay, waits for each pass to end, and never runs two at once", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const t0 = Date.now();
    const stop = repeatPasses(
      async () => {
        started.push(Date.now() - t0);
        running++;
        most = Math.max(most, running);
        await sleep(30);
        running--;
      },
      5,
      20,
    );
    await sleep(200);
    stop();
    expect(started[0]).toBeGreaterThanOrEqual(19);
    expect(started.length).toBeGreaterThanOrEqual(2);
    // Each pass starts only after the one before ended (30 ms) and the interval (5 ms) passed.
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(34);
    expect(most).toBe(1);
  });

  it("schedules nothing more when stopped during a pass, and goes on after a pass that failed", async () => {
    let passes = 0;
    let stop: () => void = () => undefined;
    stop = repeatPasses(
      async () => {
        passes++;
        if (passes === 1) throw new Error("device did not answer");
        stop();
        await sleep(10);
      },
      5,
      0,
    );
    await sleep(150);
    expect(passes).toBe(2);
  });
});
