import { z } from "zod";
import { defineNode, type NodeValue } from "../core/types";
import { asBoolean, asNumber } from "../core/values";

interface TotalizerState {
  total: number;
  runtime_s: number;
  starts: number;
  /** Last good rate and whether the equipment was running at the last scan (the interval's start). */
  lastRate: number | null;
  lastRunning: boolean;
}

const PER: Record<"second" | "minute" | "hour", number> = { second: 1, minute: 60, hour: 3600 };

export const totalizer = defineNode({
  type: "totalizer",
  version: 1,
  category: "control",
  label: "Totalizer",
  icon: "gauge",
  description:
    "Integrates a rate into a total (kW → kWh with rate_per 'hour', L/s → L with 'second') by the " +
    "trapezoidal rule over the time between scans, and counts the runtime hours and starts of the " +
    "`running` input. Gaps longer than max_gap_s (a stopped supervisor) are not integrated: counting a day " +
    "at the last rate would be a guess. `reset` (level) clears everything while true. A bad, null or NaN " +
    "rate is not integrated for that interval and the total is output held, uncertain; a bad `running` " +
    "adds no runtime. State (the totals) survives restarts and config changes.",
  inputs: [
    { name: "rate", type: "number", label: "Rate" },
    { name: "running", type: "boolean", label: "Running" },
    { name: "reset", type: "boolean", label: "Reset" },
  ],
  outputs: [
    { name: "total", type: "number", label: "Total" },
    { name: "runtime_hours", type: "number", label: "Runtime (h)" },
    { name: "starts", type: "number", label: "Starts" },
  ],
  keepStateOnConfigChange: true,
  config: z.object({
    rate_per: z.enum(["second", "minute", "hour"]).default("hour").describe("Time unit of the rate"),
    max_gap_s: z.number().positive().max(86_400).default(300).describe("Longer gaps are not integrated"),
  }),
  // Totals and run hours are counted, they never re-converge, but they move every scan while the plant
  // runs: they are written at the save interval (a power cut loses at most that much of them, and a restart
  // within max_gap_s integrates the gap at the last rate anyway). A start (the count and the running edge,
  // which would count a start twice if lost) and a reset (a lost reset brings the old total back) are
  // written at the end of their scan.
  statePersistence: "on_change",
  onChangeState: (s) => [s.starts, s.lastRunning, s.total === 0 && s.runtime_s === 0],
  initialState: (): TotalizerState => ({
    total: 0,
    runtime_s: 0,
    starts: 0,
    lastRate: null,
    lastRunning: false,
  }),
  execute(inputs, config, state, ctx) {
    const at = (value: number, reason?: string): NodeValue =>
      reason
        ? { value, quality: "uncertain", timestamp: ctx.now, reason }
        : { value, quality: "good", timestamp: ctx.now };
    if (asBoolean(inputs.reset) === true && inputs.reset?.quality !== "bad") {
      Object.assign(state, { total: 0, runtime_s: 0, starts: 0, lastRate: null, lastRunning: false });
      return { total: at(0), runtime_hours: at(0), starts: at(0) };
    }
    const dt = ctx.dt <= config.max_gap_s ? ctx.dt : 0;
    let reason: string | undefined;

    if (inputs.rate) {
      const rate = inputs.rate.quality === "bad" ? undefined : asNumber(inputs.rate);
      if (rate === undefined) {
        reason = `holding: ${inputs.rate.reason ?? "rate is not a number"}`;
        state.lastRate = null;
      } else {
        // Only an interval with a good rate at both ends is integrated: the trapezoid needs both.
        if (state.lastRate !== null)
          state.total += (((state.lastRate + rate) / 2) * dt) / PER[config.rate_per];
        state.lastRate = rate;
      }
    }
    if (inputs.running) {
      const running = inputs.running.quality === "bad" ? undefined : asBoolean(inputs.running);
      if (running === undefined) {
        reason ??= `holding: ${inputs.running.reason ?? "running is not a boolean"}`;
      } else {
        if (state.lastRunning) state.runtime_s += dt;
        if (running && !state.lastRunning) state.starts++;
        state.lastRunning = running;
      }
    }
    return {
      total: at(state.total, reason),
      runtime_hours: at(state.runtime_s / 3600, reason),
      starts: at(state.starts, reason),
    };
  },
  examples: [
    {
      title: "Chiller energy and hours",
      config: { rate_per: "hour" },
      explanation: "kW to `rate` gives kWh; the compressor status to `running` gives hours and starts.",
    },
  ],
});
