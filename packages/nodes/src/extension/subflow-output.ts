import { IdentifierSchema } from "@bms/schemas";
import { z } from "zod";
import { defineNode } from "../core/types";

export const subflowOutput = defineNode({
  type: "subflow_output",
  version: 1,
  category: "extension",
  label: "Sub-flow Output",
  icon: "log-out",
  description:
    "Inside a `loop` or `subflow` sub-flow: hands its input to the host under `name` (a loop collects " +
    "`result` from each item; a subflow maps out1..out8 to its outputs). The value, quality included, " +
    "passes through unchanged; when this node is skipped (an untaken branch), the host gets no value.",
  inputs: [{ name: "value", type: "any", label: "Value", required: true }],
  outputs: [{ name: "value", type: "any", label: "Value" }],
  config: z.object({ name: IdentifierSchema.describe("result (loop), out1… (subflow)") }),
  execute(inputs) {
    return { value: inputs.value! };
  },
  examples: [{ title: "Loop result", config: { name: "result" }, explanation: "This item's result." }],
});
