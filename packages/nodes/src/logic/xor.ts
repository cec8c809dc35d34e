import { z } from "zod";
import { defineNode, type NodeValue } from "../core/types";
import { asBoolean, bad, derive } from "../core/values";

export const xor = defineNode({
  type: "xor",
  version: 1,
  category: "logic",
  label: "XOR",
  icon: "split",
  description:
    "Exclusive OR over N inputs. mode 'odd' (the usual chained XOR) is true when an odd number of inputs " +
    "are true; 'exactly_one' is true when exactly one is (a discrepancy check between redundant commands). " +
    "Every input matters, so one bad, null or NaN input makes the result bad.",
  inputs: [{ name: "inputs", type: "boolean", label: "Inputs", required: true, multiple: true }],
  outputs: [{ name: "result", type: "boolean", label: "Result" }],
  config: z.object({ mode: z.enum(["odd", "exactly_one"]).default("odd") }),
  execute(_inputs, config, _state, ctx, multi) {
    const items: readonly NodeValue[] = multi.inputs ?? [];
    let trues = 0;
    for (const item of items) {
      const b = item.quality === "bad" ? undefined : asBoolean(item);
      if (b === undefined) return { result: bad(item.reason ?? "an input is not a boolean", ctx.now) };
      if (b) trues++;
    }
    const value = config.mode === "odd" ? trues % 2 === 1 : trues === 1;
    return { result: derive(value, items, ctx.now) };
  },
  examples: [
    {
      title: "Command/status discrepancy",
      config: { mode: "odd" },
      explanation: "Wire a command and its status: true while they disagree.",
    },
  ],
});
