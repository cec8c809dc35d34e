import { describe, expect, it } from "vitest";
import type { NodeOutputs } from "../core/types";
import { type InputSpec, nodeRunner, roundTrip, v } from "../testing/node-runner";
import { sequencer } from "./sequencer";

const units = (out: NodeOutputs, n = 3) =>
  Array.from({ length: n }, (_, i) => (out[`out${i + 1}`]?.value ? 1 : 0)).join("");
const FAST = { units: 3, stage_up_delay_s: 0, stage_down_delay_s: 0, min_on_s: 0, min_off_s: 0 };

describe("sequencer", () => {
  // [demand, ms since the previous scan, available statuses?] → which units run ("100": unit 1)
  type Step = [InputSpec, number, InputSpec[]?];
  const cases: [string, Record<string, unknown>, Step[], string[]][] = [
    [
      "stages up and down, one stage per scan",
      { ...FAST, rotation: "fixed" },
      [
        [1, 0],
        [2, 1000],
        [3, 1000],
        [1, 1000],
        [0, 1000],
      ],
      ["100", "110", "111", "110", "100"],
    ],
    [
      "one stage per stage-up delay, exactly at 60 s",
      { ...FAST, rotation: "fixed", stage_up_delay_s: 60 },
      [
        [3, 0],
        [3, 59_999],
        [3, 1],
        [3, 60_000],
      ],
      ["100", "100", "110", "111"],
    ],
    [
      "stage-down delay",
      { ...FAST, rotation: "fixed", stage_down_delay_s: 30 },
      [
        [2, 0],
        [2, 1000],
        [0, 29_000],
        [0, 1000],
        [0, 29_999],
        [0, 1],
      ],
      ["100", "110", "110", "100", "100", "000"],
    ],
    [
      "minimum on-time keeps a unit running, exactly 300 s",
      { ...FAST, rotation: "fixed", min_on_s: 300 },
      [
        [1, 0],
        [0, 1000],
        [0, 298_999],
        [0, 1],
      ],
      ["100", "100", "100", "000"],
    ],
    [
      "minimum off-time: a resting unit is passed over",
      { ...FAST, rotation: "fixed", min_off_s: 300 },
      [
        [1, 0],
        [0, 1000],
        [1, 1000],
        [1, 300_000],
        [1, 1000],
      ],
      ["100", "000", "010", "100", "100"],
    ],
    [
      "runtime rotation starts the unit with the fewest hours",
      { ...FAST, rotation: "runtime" },
      [
        [1, 0],
        [1, 3_600_000],
        [0, 1000],
        [1, 1000],
        [0, 1000],
        [1, 1000],
      ],
      ["100", "100", "000", "010", "000", "001"],
    ],
    [
      "runtime rotation stops the unit with the most hours",
      { ...FAST, rotation: "runtime" },
      [
        [1, 0],
        [1, 3_600_000],
        [2, 1000],
        [1, 1000],
      ],
      ["100", "100", "110", "010"],
    ],
    [
      "interval rotation moves the lead (new lead starts as the old stops)",
      { ...FAST, units: 2, rotation: "interval", rotate_hours: 1 },
      [
        [1, 0],
        [1, 3_599_999],
        [1, 1],
        [1, 3_600_000],
      ],
      ["10", "10", "01", "10"],
    ],
    [
      "failover: an unavailable unit stops at once, the next takes over, and the lead returns after min on-time",
      { ...FAST, rotation: "fixed", min_on_s: 600 },
      [
        [1, 0, [true, true, true]],
        [1, 1000, [false, true, true]],
        [1, 1000, [true, true, true]],
        [1, 600_000, [true, true, true]],
      ],
      ["100", "010", "010", "100"],
    ],
    [
      "a bad availability keeps the last known one",
      { ...FAST, rotation: "fixed" },
      [
        [1, 0, [true]],
        [1, 1000, [v(false, "bad")]],
      ],
      ["100", "100"],
    ],
    [
      "percent demand: 34 % of 3 units is 2, 100 % is 3",
      { ...FAST, rotation: "fixed", demand_mode: "percent" },
      [
        [34, 0],
        [34, 1000],
        [100, 1000],
        [100, 1000],
        [0, 1000],
      ],
      ["100", "110", "111", "111", "110"],
    ],
    [
      "bad, null or NaN demand holds the staging",
      { ...FAST, rotation: "fixed" },
      [
        [2, 0],
        [2, 1000],
        [v(0, "bad"), 1000],
        [null, 1000],
        [Number.NaN, 1000],
      ],
      ["100", "110", "110", "110", "110"],
    ],
  ];
  it.each(cases)("%s", (_name, config, steps, expected) => {
    const r = nodeRunner(sequencer, config);
    const n = (config.units as number) ?? 3;
    const seen = steps.map(([demand, ms, available]) =>
      units(r.run(available ? { demand, available } : { demand }, ms), n),
    );
    expect(seen).toEqual(expected);
  });

  it("reports running count, lead, and uncertainty on a bad demand", () => {
    const r = nodeRunner(sequencer, { ...FAST, rotation: "fixed" });
    r.run({ demand: 1 });
    const out = r.run({ demand: 2 }, 1000);
    expect([out.running?.value, out.lead?.value]).toEqual([2, 1]);
    expect(r.run({ demand: null }, 1000).out1?.quality).toBe("uncertain");
  });

  it("keeps runtime and staging across a restart", () => {
    const r = nodeRunner(sequencer, { ...FAST, rotation: "runtime" });
    r.run({ demand: 1 });
    r.run({ demand: 1 }, 3_600_000);
    r.state = roundTrip(r.state);
    r.run({ demand: 0 }, 1000);
    expect(units(r.run({ demand: 1 }, 1000))).toBe("010");
  });

  // The part written at the end of the scan (NodeDefinition.onChangeState); the rest waits for the interval.
  it("writes a change of step at the end of its scan, and leaves run hours to the save interval", () => {
    const r = nodeRunner(sequencer, { ...FAST, rotation: "runtime" });
    const step = () => JSON.stringify(sequencer.onChangeState!(r.state, r.config));
    r.run({ demand: 1 });
    const one = step();
    r.run({ demand: 1 }, 1000);
    r.run({ demand: 1 }, 1000);
    expect(r.state.runtime_s[0]).toBe(2);
    expect(step()).toBe(one);
    r.run({ demand: 2 }, 1000);
    expect(step()).not.toBe(one);
    // Availability is part of the step: a tripped unit must stay out after a restart.
    const two = step();
    r.run({ demand: 2, available: [true, false] }, 1000);
    expect(step()).not.toBe(two);
  });
});
