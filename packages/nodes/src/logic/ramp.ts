import { z } from "zod";
import { BadInputPolicySchema, badOutput, FallbackSchema } from "../core/bad-input";
import { defineNode } from "../core/types";
import { asNumber, derive } from "../core/values";

export const ramp = defineNode({
  type: "ramp",
  version: 1,
  category: "logic",
  label: "Ramp",
  icon: "trending-up",
  description:
    "A rate limiter: the output moves toward the input at most rate_up units per second while rising and " +
    "rate_down while falling (0: no limit in that direction), using the time since the node last ran, so " +
    "the ramp does not depend on the scan period. The first value passes straight through (state survives a " +
    "restart, so a restart does not jump). `ramping` is true while the output has not reached the input. " +
    "A bad, null or NaN input freezes the ramp where it is and follows on_bad_input (default: propagate " +
    "bad quality); it resumes from the frozen value.",
  inputs: [{ name: "value", type: "number", label: "Target", required: true }],
  outputs: [
    { name: "value", type: "number", label: "Value" },
    { name: "ramping", type: "boolean", label: "Ramping" },
  ],
  config: z.object({
    rate_up: z.number().min(0).default(1).describe("Units per second while rising; 0: unlimited"),
    rate_down: z.number().min(0).default(1).describe("Units per second while falling; 0: unlimited"),
    on_bad_input: BadInputPolicySchema,
    fallback: FallbackSchema,
  }),
  initialState: (): { out: number | null } => ({ out: null }),
  execute(inputs, config, state, ctx) {
    const target = asNumber(inputs.value);
    if (target === undefined || inputs.value?.quality === "bad") {
      const reason = inputs.value?.reason ?? "input 'value' is not a number";
      const out = badOutput(config.on_bad_input, config.fallback, state.out ?? undefined, reason, ctx.now);
      return { value: out, ramping: { ...out, value: out.value === null ? null : false } };
    }
    let out = state.out ?? target;
    if (target > out) out = config.rate_up > 0 ? Math.min(target, out + config.rate_up * ctx.dt) : target;
    else if (target < out)
      out = config.rate_down > 0 ? Math.max(target, out - config.rate_down * ctx.dt) : target;
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
  ],
});
