import { z } from "zod";
import { defineNode, type NodeValue } from "../core/types";
import { asBoolean } from "../core/values";

interface TimerState {
  out: boolean;
  /** When the running timing started (ms, scan clock); null when not timing. */
  since: number | null;
  lastIn: boolean;
}

export const delay = defineNode({
  type: "delay",
  version: 1,
  category: "control",
  label: "Delay Timer",
  icon: "timer",
  description:
    "Boolean timers, timed on the scan clock (timestamps, so the scan period and restarts do not change " +
    "them). on_delay: the output turns on once the input has been on continuously for `seconds`, and off " +
    "at once. off_delay: on at once, off once the input has been off for `seconds`. pulse: a rising edge " +
    "gives an output pulse of `seconds` (at least one scan), not retriggered while it runs. Elapsed time is " +
    "compared with >=, so a 30 s on-delay is on at the first scan 30 s or more after the input went on. " +
    "The node reads last scan's input (it may close a feedback loop), which adds one scan of latency. " +
    "A bad, null or NaN input freezes the output (bad quality, so downstream writes hold); timing resumes " +
    "with the next good value. An input not yet seen counts as off.",
  inputs: [{ name: "input", type: "boolean", label: "Input", required: true }],
  outputs: [
    { name: "output", type: "boolean", label: "Output" },
    { name: "elapsed_s", type: "number", label: "Elapsed (s)" },
    { name: "remaining_s", type: "number", label: "Remaining (s)" },
  ],
  breaksCycles: true,
  config: z.object({
    mode: z.enum(["on_delay", "off_delay", "pulse"]).default("on_delay"),
    seconds: z.number().min(0).max(604_800).default(30).describe("Delay or pulse length, seconds"),
  }),
  // Timer and edge memory: a lost start time restarts a delay.
  statePersistence: "on_change",
  initialState: (): TimerState => ({ out: false, since: null, lastIn: false }),
  execute(inputs, config, state, ctx) {
    const input = inputs.input;
    const known = input === undefined ? false : input.quality === "bad" ? undefined : asBoolean(input);
    const duration = config.seconds * 1000;
    const elapsed = () => (state.since === null ? 0 : ctx.now - state.since);
    const outputs = (quality: NodeValue["quality"], reason?: string) => {
      const base = { quality, timestamp: ctx.now, ...(reason ? { reason } : {}) };
      const e = Math.min(elapsed(), duration) / 1000;
      return {
        output: { ...base, value: state.out },
        elapsed_s: { ...base, value: e },
        remaining_s: { ...base, value: state.since === null ? 0 : config.seconds - e },
      };
    };
    if (known === undefined) return outputs("bad", input?.reason ?? "input is not a boolean");

    switch (config.mode) {
      case "on_delay":
        if (!known) {
          state.out = false;
          state.since = null;
        } else {
          state.since ??= ctx.now;
          state.out = elapsed() >= duration;
        }
        break;
      case "off_delay":
        if (known) {
          state.out = true;
          state.since = null;
        } else if (state.out) {
          state.since ??= ctx.now;
          if (elapsed() >= duration) {
            state.out = false;
            state.since = null;
          }
        }
        break;
      case "pulse":
        // End a running pulse first, so a zero-length pulse still lasts one scan.
        if (state.out && elapsed() >= duration) {
          state.out = false;
          state.since = null;
        }
        if (known && !state.lastIn && !state.out) {
          state.out = true;
          state.since = ctx.now;
        }
        break;
    }
    state.lastIn = known;
    return outputs(input?.quality === "uncertain" ? "uncertain" : "good", input?.reason);
  },
  examples: [
    {
      title: "Prove fan flow",
      config: { mode: "on_delay", seconds: 30 },
      explanation: "Alarm only when the fan command and missing flow have lasted 30 s.",
    },
    { title: "Seed form", config: { seconds: 30 }, explanation: "An on-delay of 30 s." },
  ],
});
