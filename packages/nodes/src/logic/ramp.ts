import { PointRefSchema } from "@bms/schemas";
import { z } from "zod";
import { BadInputPolicySchema, badOutput, FallbackSchema } from "../core/bad-input";
import { defineNode } from "../core/types";
import { asNumber, bad, derive } from "../core/values";

/** Seconds per rate unit: rates are written as an integrator says them (0.5 °C per minute). */
const PER: Record<"per_second" | "per_minute" | "per_hour", number> = {
  per_second: 1,
  per_minute: 60,
  per_hour: 3600,
};

export const ramp = defineNode({
  type: "ramp",
  version: 1,
  category: "logic",
  label: "Ramp",
  icon: "trending-up",
  description:
    "A rate limiter: the output moves toward the input at most rate_up units per `rate_unit` (second, " +
    "minute or hour) while rising and rate_down while falling (0: no limit in that direction), using the " +
    "time since the node last ran, so the ramp does not depend on the scan period. The first value passes " +
    "straight through, unless `start_point` names a point (usually the one the ramp commands): then the " +
    "ramp starts from that point's present value, so a setpoint does not jump on deploy; until that point " +
    "has been read good the output is bad (nothing is written). State survives a restart, so a restart " +
    "does not jump either. `ramping` is true while the output has not reached the input. " +
    "A bad, null or NaN input freezes the ramp where it is and follows on_bad_input (default: propagate " +
    "bad quality); it resumes from the frozen value.",
  inputs: [{ name: "value", type: "number", label: "Target", required: true }],
  outputs: [
    { name: "value", type: "number", label: "Value" },
    { name: "ramping", type: "boolean", label: "Ramping" },
  ],
  config: z.object({
    rate_up: z.number().min(0).default(1).describe("Units per rate unit while rising; 0: unlimited"),
    rate_down: z.number().min(0).default(1).describe("Units per rate unit while falling; 0: unlimited"),
    rate_unit: z
      .enum(["per_second", "per_minute", "per_hour"])
      .default("per_second")
      .describe("What the rates are per"),
    start_point: PointRefSchema.nullable()
      .default(null)
      .describe("Start from this point's present value (point reference); empty: the first value passes"),
    on_bad_input: BadInputPolicySchema,
    fallback: FallbackSchema,
  }),
  points: (config) => ({ reads: config.start_point ? [config.start_point] : [] }),
  // The ramp restarts from the last saved value and re-converges to the target.
  statePersistence: "periodic",
  initialState: (): { out: number | null } => ({ out: null }),
  execute(inputs, config, state, ctx) {
    const target = asNumber(inputs.value);
    if (target === undefined || inputs.value?.quality === "bad") {
      const reason = inputs.value?.reason ?? "input 'value' is not a number";
      const out = badOutput(config.on_bad_input, config.fallback, state.out ?? undefined, reason, ctx.now);
      return { value: out, ramping: { ...out, value: out.value === null ? null : false } };
    }
    if (state.out === null && config.start_point) {
      const present = ctx.readPoint(config.start_point);
      const start = present?.quality === "bad" ? undefined : asNumber(present);
      if (start === undefined) {
        const reason = present?.reason ?? `waiting for the present value of ${config.start_point}`;
        return { value: bad(reason, ctx.now), ramping: bad(reason, ctx.now) };
      }
      state.out = start;
    }
    const perSecond = 1 / PER[config.rate_unit];
    let out = state.out ?? target;
    if (target > out)
      out = config.rate_up > 0 ? Math.min(target, out + config.rate_up * perSecond * ctx.dt) : target;
    else if (target < out)
      out = config.rate_down > 0 ? Math.max(target, out - config.rate_down * perSecond * ctx.dt) : target;
    state.out = out;
    return {
      value: derive(out, [inputs.value], ctx.now),
      ramping: derive(out !== target, [inputs.value], ctx.now),
    };
  },
  examples: [
    {
      title: "Soft start of a supply fan speed",
      config: { rate_up: 2, rate_down: 5 },
      explanation: "Speed command rises at most 2 %/s and falls at 5 %/s.",
    },
    {
      title: "Setpoint change at 0.5 °C per minute, without a jump on deploy",
      config: {
        rate_up: 0.5,
        rate_down: 0.5,
        rate_unit: "per_minute",
        start_point: "bacnet:1001/analogValue:1",
      },
      explanation: "Starts from the setpoint's present value and moves 0.5 °C each minute toward the target.",
    },
  ],
});
