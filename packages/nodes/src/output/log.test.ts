import { describe, expect, it } from "vitest";
import { nodeRunner, T0, v } from "../testing/node-runner";
import { log } from "./log";

describe("log", () => {
  it("records the seed's form: aliases and $timestamp", () => {
    const r = nodeRunner(
      log,
      { data: { temp: "$temp", time: "$timestamp" } },
      { aliases: { temp: v(21.5) } },
    );
    expect(r.run().recorded?.value).toBe(2);
    expect(r.records.map((x) => [x.name, x.value, x.quality])).toEqual([
      ["temp", 21.5, "good"],
      ["time", T0, "good"],
    ]);
  });

  const intervals: [string, Record<string, unknown>, [number, number][], number][] = [
    [
      "every scan",
      { interval_s: 0 },
      [
        [1, 0],
        [1, 1000],
        [1, 1000],
      ],
      3,
    ],
    [
      "every 5 s, exactly at 5 s",
      { interval_s: 5 },
      [
        [1, 0],
        [1, 4999],
        [1, 1],
        [1, 1000],
      ],
      2,
    ],
    [
      "on change only",
      { on_change: true },
      [
        [1, 0],
        [1, 1000],
        [2, 1000],
        [2, 1000],
      ],
      2,
    ],
  ];
  it.each(intervals)("%s", (_name, config, steps, count) => {
    const r = nodeRunner(log, { data: { x: "a" }, ...config });
    for (const [a, ms] of steps) r.run({ a }, ms);
    expect(r.records).toHaveLength(count);
  });

  it("records a bad value with its reason instead of skipping it", () => {
    const r = nodeRunner(log, { data: { x: "a * 2", y: "b" } });
    r.run({ a: v(null, "bad", "offline"), b: Number.NaN });
    expect(r.records.map((x) => [x.name, x.value, x.quality])).toEqual([
      ["x", null, "bad"],
      ["y", null, "bad"],
    ]);
  });

  it("refuses an empty data map and bad expressions", () => {
    expect(log.config.safeParse({ data: {} }).success).toBe(false);
    expect(log.config.safeParse({ data: { x: "this.x" } }).success).toBe(false);
    expect(log.config.safeParse({ data: { __proto__x: "1" } }).success).toBe(false);
  });
});
