import { describe, expect, it } from "vitest";
import { flowHarness, testFlow } from "../testing/harness";
import { type InputSpec, nodeRunner, roundTrip, v } from "../testing/node-runner";
import { delay } from "./delay";

/** [input, ms since the previous step] → output; the runner feeds the node directly (no scan latency). */
type Step = [InputSpec, number];

describe("delay", () => {
  const cases: [string, Record<string, unknown>, Step[], boolean[]][] = [
    [
      "on-delay: on exactly at 30 s, not at 29.999",
      { mode: "on_delay", seconds: 30 },
      [
        [true, 0],
        [true, 29_999],
        [true, 1],
        [false, 1000],
      ],
      [false, false, true, false],
    ],
    [
      "on-delay: an interruption restarts the timing",
      { mode: "on_delay", seconds: 10 },
      [
        [true, 0],
        [true, 9000],
        [false, 500],
        [true, 500],
        [true, 9000],
        [true, 1000],
      ],
      [false, false, false, false, false, true],
    ],
    [
      "off-delay: on at once, off exactly after 10 s off",
      { mode: "off_delay", seconds: 10 },
      [
        [true, 0],
        [false, 1000],
        [false, 9999],
        [false, 1],
      ],
      [true, true, true, false],
    ],
    [
      "off-delay: coming back on cancels the run-on",
      { mode: "off_delay", seconds: 10 },
      [
        [true, 0],
        [false, 1000],
        [true, 5000],
        [false, 1000],
        [false, 9000],
      ],
      [true, true, true, true, true],
    ],
    [
      "pulse: 5 s from the rising edge, not retriggered",
      { mode: "pulse", seconds: 5 },
      [
        [true, 0],
        [false, 1000],
        [true, 1000],
        [true, 2999],
        [true, 1],
        [true, 1000],
      ],
      [true, true, true, true, false, false],
    ],
    [
      "pulse: zero seconds lasts one scan",
      { mode: "pulse", seconds: 0 },
      [
        [true, 0],
        [true, 1000],
        [false, 1000],
        [true, 1000],
      ],
      [true, false, false, true],
    ],
    [
      "independent of the scan period (one 60 s step)",
      { mode: "on_delay", seconds: 30 },
      [
        [true, 0],
        [true, 60_000],
      ],
      [false, true],
    ],
  ];
  it.each(cases)("%s", (_name, config, steps, expected) => {
    const r = nodeRunner(delay, config);
    expect(steps.map(([input, ms]) => r.run({ input }, ms).output?.value)).toEqual(expected);
  });

  it("freezes with bad quality on a bad, null or NaN input, then resumes", () => {
    const r = nodeRunner(delay, { mode: "off_delay", seconds: 10 });
    r.run({ input: true });
    for (const input of [v(false, "bad"), null, Number.NaN] as InputSpec[]) {
      expect(r.run({ input }, 1000).output).toMatchObject({ value: true, quality: "bad" });
    }
    expect(r.run({ input: false }, 1000).output?.value).toBe(true);
  });

  it("reports elapsed and remaining time", () => {
    const r = nodeRunner(delay, { mode: "on_delay", seconds: 30 });
    r.run({ input: true });
    const out = r.run({ input: true }, 12_000);
    expect([out.elapsed_s?.value, out.remaining_s?.value]).toEqual([12, 18]);
  });

  it("keeps timing across a restart (timestamps in JSON state)", () => {
    const r = nodeRunner(delay, { mode: "on_delay", seconds: 30 });
    r.run({ input: true });
    r.state = roundTrip(r.state);
    expect(r.run({ input: true }, 30_000).output?.value).toBe(true);
  });

  it("in a flow it reads last scan's input (one scan of latency)", async () => {
    const h = flowHarness(
      testFlow(
        [
          { id: "cmd", type: "parameter", config: { name: "cmd", default: false } },
          { id: "t", type: "delay", config: { mode: "on_delay", seconds: 2 } },
        ],
        [{ from_node: "cmd", from_output: "value", to_node: "t", to_input: "input" }],
      ),
    );
    await h.scan();
    h.plant.parameters.set("cmd", true);
    const outputs: unknown[] = [];
    for (const ms of [0, 1000, 1000, 1000]) {
      await h.scan(ms);
      outputs.push(h.output("t", "output")?.value);
    }
    // Seen true from the second of these scans; on 2 s later.
    expect(outputs).toEqual([false, false, false, true]);
  });
});
