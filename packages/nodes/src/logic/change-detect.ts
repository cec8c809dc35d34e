import { z } from "zod";
import { defineNode, type NodeValue, type Scalar } from "../core/types";
import { derive } from "../core/values";

interface ChangeState {
  /** The last value reported as a change (the reference, as BACnet COV keeps it). */
  reference: Scalar | null;
}

function scalar(v: NodeValue | undefined): Scalar | undefined {
  if (!v || v.quality === "bad") return undefined;
  const x = v.value;
  if (typeof x === "number") return Number.isFinite(x) ? x : undefined;
  if (typeof x === "boolean" || typeof x === "string") return x;
  return undefined;
}

export const changeDetect = defineNode({
  type: "change_detect",
  version: 1,
  category: "logic",
  label: "Change Detect",
  icon: "radar",
  description:
    "`changed` is true for one scan when the value changes. Numbers change when they move at least " +
    "`deadband` away from the last reported value (like BACnet's COV increment, so slow drift is still " +
    "reported once it adds up; deadband 0: any change); booleans and text on any change. `delta` is the " +
    "numeric change and `previous` the reference before it. The first value only sets the reference " +
    "(unless first_is_change). A bad, null or NaN value gives changed=false with bad quality and keeps " +
    "the reference, so a sensor dropout is not a change.",
  inputs: [{ name: "value", type: "any", label: "Value", required: true }],
  outputs: [
    { name: "changed", type: "boolean", label: "Changed" },
    { name: "delta", type: "number", label: "Delta" },
    { name: "previous", type: "any", label: "Previous" },
  ],
  config: z.object({
    deadband: z.number().min(0).default(0).describe("Minimum numeric change, in the value's units"),
    first_is_change: z.boolean().default(false).describe("Report the first value as a change"),
  }),
  // Edge memory: a lost reference reports a change that did not happen, or misses one.
  statePersistence: "on_change",
  initialState: (): ChangeState => ({ reference: null }),
  execute(inputs, config, state, ctx) {
    const x = scalar(inputs.value);
    const previous = state.reference;
    if (x === undefined) {
      const reason = inputs.value?.reason ?? "input 'value' has no usable value";
      const out = { quality: "bad" as const, timestamp: ctx.now, reason };
      return {
        changed: { ...out, value: false },
        delta: { ...out, value: 0 },
        previous: { ...out, value: previous },
      };
    }
    let changed: boolean;
    let delta = 0;
    if (previous === null) {
      changed = config.first_is_change;
    } else if (typeof x === "number" && typeof previous === "number") {
      delta = x - previous;
      changed = config.deadband === 0 ? delta !== 0 : Math.abs(delta) >= config.deadband;
    } else {
      changed = x !== previous;
    }
    if (changed || previous === null) state.reference = x;
    const from = [inputs.value];
    return {
      changed: derive(changed, from, ctx.now),
      delta: derive(changed ? delta : 0, from, ctx.now),
      previous: derive(previous, from, ctx.now),
    };
  },
  examples: [
    {
      title: "Log a setpoint change",
      config: { deadband: 0.5 },
      explanation: "True once each time the setpoint moves by 0.5 or more.",
    },
  ],
});
