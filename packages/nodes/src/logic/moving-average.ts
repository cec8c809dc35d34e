import { z } from "zod";
import { defineNode, type NodeValue } from "../core/types";
import { asNumber, bad } from "../core/values";

interface FilterState {
  samples: number[];
  /** Exponential mode: the filtered value. */
  filtered: number | null;
}

export const movingAverage = defineNode({
  type: "moving_average",
  version: 1,
  category: "logic",
  label: "Moving Average",
  icon: "activity",
  description:
    "Smooths a noisy value. mode 'window' averages the last `samples` good values (one per scan); mode " +
    "'exponential' is a first-order filter with time_constant_s, which uses the time since the node last ran " +
    "and so does not depend on the scan period (the first value initialises it). Bad, null or NaN values are " +
    "not taken in: the output holds the current average with quality uncertain and the reason; with no good " +
    "value yet it is bad.",
  inputs: [{ name: "value", type: "number", label: "Value", required: true }],
  outputs: [{ name: "value", type: "number", label: "Average" }],
  config: z.object({
    mode: z.enum(["window", "exponential"]).default("window"),
    samples: z.number().int().min(1).max(1000).default(10).describe("Window length in scans (window mode)"),
    time_constant_s: z.number().positive().max(86_400).default(60).describe("Seconds (exponential mode)"),
  }),
  // The window refills within its own length after a restart.
  statePersistence: "periodic",
  initialState: (): FilterState => ({ samples: [], filtered: null }),
  execute(inputs, config, state, ctx) {
    const x = asNumber(inputs.value);
    const current = (): number | null => {
      if (config.mode === "exponential") return state.filtered;
      if (state.samples.length === 0) return null;
      let sum = 0;
      for (const s of state.samples) sum += s;
      return sum / state.samples.length;
    };
    if (x === undefined || inputs.value?.quality === "bad") {
      const reason = inputs.value?.reason ?? "input 'value' is not a number";
      const held = current();
      if (held === null) return { value: bad(reason, ctx.now) };
      return {
        value: { value: held, quality: "uncertain", timestamp: ctx.now, reason: `holding: ${reason}` },
      };
    }
    if (config.mode === "exponential") {
      const alpha = ctx.dt / (config.time_constant_s + ctx.dt);
      state.filtered = state.filtered === null ? x : state.filtered + alpha * (x - state.filtered);
    } else {
      state.samples.push(x);
      while (state.samples.length > config.samples) state.samples.shift();
    }
    const out: NodeValue = { value: current(), quality: inputs.value!.quality, timestamp: ctx.now };
    if (inputs.value?.reason !== undefined) out.reason = inputs.value.reason;
    return { value: out };
  },
  examples: [
    {
      title: "Duct static pressure",
      config: { mode: "exponential", time_constant_s: 10 },
      explanation: "Filters pressure ripple before a PID.",
    },
  ],
});
