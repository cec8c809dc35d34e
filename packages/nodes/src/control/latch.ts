import { z } from "zod";
import { defineNode, type Scalar } from "../core/types";
import { asBoolean } from "../core/values";

export const latch = defineNode({
  type: "latch",
  version: 1,
  category: "control",
  label: "Latch (SR)",
  icon: "lock",
  description:
    "A set/reset flip-flop: `set` true turns the output on and it stays on until `reset` is true. With both " +
    "true, the dominant input wins: reset by default (the fail-safe choice for an alarm or trip latch). " +
    "Inputs are levels, not edges. A bad, null or NaN input counts as not asserted, except that a bad " +
    "reset on a reset-dominant latch also blocks set (a trip must not be re-armed on an unknown reset); the " +
    "output keeps its state and is marked uncertain while an input is bad. State survives a restart. An " +
    "operator resets it from the dashboard: the supervisor sets the runtime parameter `latch_reset:<node id>` " +
    "of its flow to a new value, which clears the latch once (a set still asserted sets it again on the next " +
    "scan); inside a sub-flow node the id is the path `<sub-flow node>/<node id>`, so each instance resets alone.",
  inputs: [
    { name: "set", type: "boolean", label: "Set" },
    { name: "reset", type: "boolean", label: "Reset" },
  ],
  outputs: [
    { name: "q", type: "boolean", label: "Q" },
    { name: "not_q", type: "boolean", label: "Not Q" },
  ],
  config: z.object({
    dominant: z.enum(["reset", "set"]).default("reset").describe("Which wins when both are true"),
    initial: z.boolean().default(false).describe("State before the first set"),
  }),
  // A latch that forgets it was set changes what the plant does.
  statePersistence: "on_change",
  initialState: (config): { q: boolean; resetToken?: Scalar | null } => ({
    q: config.initial,
    resetToken: null,
  }),
  execute(inputs, config, state, ctx) {
    const read = (v: typeof inputs.set) =>
      v === undefined || v.quality === "bad" ? undefined : asBoolean(v);
    const set = read(inputs.set);
    const reset = read(inputs.reset);
    const badInput = [inputs.set, inputs.reset].find((v) => v !== undefined && read(v) === undefined);
    const resetUnknown = inputs.reset !== undefined && reset === undefined;
    // The operator's reset: a new token on the node's reset parameter, acted on once.
    const token = ctx.parameter(`latch_reset:${ctx.nodeId}`) ?? null;
    const operatorReset = token !== null && token !== (state.resetToken ?? null);
    state.resetToken = token;
    if (operatorReset) state.q = false;
    if (set === true && reset === true) state.q = config.dominant === "set";
    else if (reset === true) state.q = false;
    else if (set === true && !(resetUnknown && config.dominant === "reset")) state.q = true;
    const quality = badInput ? ("uncertain" as const) : ("good" as const);
    const reason = badInput ? (badInput.reason ?? "an input is not a boolean") : undefined;
    const q = { value: state.q, quality, timestamp: ctx.now, ...(reason ? { reason } : {}) };
    return { q, not_q: { ...q, value: !state.q } };
  },
  examples: [
    {
      title: "Freeze-stat trip",
      config: { dominant: "reset" },
      explanation: "Set by the low-limit switch, cleared only by an operator reset.",
    },
  ],
});
