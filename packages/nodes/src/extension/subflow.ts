import { SubflowInstanceSchema } from "@bms/schemas";
import { z } from "zod";
import { portGroup } from "../core/port-groups";
import { defineNode, type NodeOutputs, type NodeValue } from "../core/types";
import {
  checkEmbedded,
  compileEmbedded,
  EmbeddedFlowSchema,
  EmbeddedInstance,
  embeddedOnChangeState,
  embeddedPoints,
  prepareEmbedded,
} from "../engine/embedded-flow";
import type { SavedNodeState } from "../engine/flow-runtime";

const INS = ["in1", "in2", "in3", "in4", "in5", "in6", "in7", "in8"] as const;
const OUTS = ["out1", "out2", "out3", "out4", "out5", "out6", "out7", "out8"] as const;
// Wires kept on ports beyond a count stay (port-groups.ts), so sub-flows saved before the counts load as they were.
const INPUTS = portGroup({
  count: "input_count",
  names: INS,
  min: 0,
  default: 1,
  port: (name) => ({ type: "any", label: name }),
  description: "How many inputs the node has (in1 …)",
});
const OUTPUTS = portGroup({
  count: "output_count",
  names: OUTS,
  min: 0,
  default: 1,
  port: (name) => ({ type: "any", label: name }),
  description: "How many outputs the node has (out1 …)",
});

interface SubflowState {
  saved: SavedNodeState[];
}

const live = new WeakMap<SubflowState, EmbeddedInstance>();

export const subflow = defineNode({
  type: "subflow",
  version: 1,
  category: "extension",
  label: "Sub-flow",
  icon: "boxes",
  description:
    "A group of nodes behind its own ports: the Designer makes one from a selection (its inputs and " +
    "outputs are the wires that crossed the selection's edge) and edits its inside on its own canvas. `flow` is `{ nodes, connections }` in the flow format; `subflow_input` " +
    "nodes named in1..in8 (`input_count` of them are drawn) receive this node's inputs and `subflow_output` nodes named out1..out8 drive its " +
    "outputs (`labels` names the ports in the editor, e.g. { in1: 'Zone temp' }). It is compiled once per " +
    "deploy and runs inside the scan like any node, with its own state saved in this node's state " +
    "(restarts keep a PID inside it tuned). Its point reads and writes are batched with the flow's and its " +
    "alerts are keyed under this node. An output whose subflow_output was skipped is left out, so nodes fed " +
    "by it are skipped too; qualities pass through unchanged.",
  inputs: INPUTS.ports,
  outputs: OUTPUTS.ports,
  config: z
    .object({
      name: z.string().max(100).default("Sub-flow").describe("Shown on the node"),
      input_count: INPUTS.field,
      output_count: OUTPUTS.field,
      labels: z
        .partialRecord(z.enum([...INS, ...OUTS]), z.string().max(40))
        .default({})
        .describe("Port labels, e.g. { in1: 'Zone temp', out1: 'Valve' }"),
      flow: EmbeddedFlowSchema.describe("The grouped nodes"),
      library: SubflowInstanceSchema.optional().describe(
        "Set on an instance of the project's subflow library: its definition, points and parameters (the inside is filled from the definition)",
      ),
    })
    .superRefine((c, ctx) => checkEmbedded(c.flow, ctx, ["flow"])),
  points: (config) => embeddedPoints(config.flow),
  prepare: (config) => prepareEmbedded(config.flow),
  // Holds the inner nodes' state, each part written as its node type says: a latch inside at the end of
  // the scan that flips it, a math node's or a PID's at the save interval.
  statePersistence: "on_change",
  onChangeState: (state, config) => embeddedOnChangeState(config.flow, state.saved),
  initialState: (): SubflowState => ({ saved: [] }),
  async execute(inputs, config, state, ctx) {
    const plan = compileEmbedded(config.flow);
    if (!plan.ok) throw new Error(`sub-flow does not compile: ${plan.errors[0]?.message ?? "unknown error"}`);
    let copy = live.get(state);
    if (!copy) {
      copy = new EmbeddedInstance(plan.value, state.saved);
      live.set(state, copy);
    }
    const given = new Map<string, NodeValue>();
    for (const name of INS) if (inputs[name]) given.set(name, inputs[name]!);
    const produced = await copy.run(ctx, given, null);
    state.saved = copy.save();
    const out: NodeOutputs = {};
    for (const name of OUTS) {
      const value = produced.get(name);
      if (value) out[name] = value;
    }
    return out;
  },
  examples: [
    {
      title: "Fahrenheit converter as a block",
      config: {
        name: "°C → °F",
        labels: { in1: "°C", out1: "°F" },
        flow: {
          nodes: [
            { id: "c", type: "subflow_input", config: { name: "in1" } },
            { id: "f", type: "math", config: { expression: "a * 1.8 + 32" } },
            { id: "o", type: "subflow_output", config: { name: "out1" } },
          ],
          connections: [
            { from_node: "c", from_output: "value", to_node: "f", to_input: "a" },
            { from_node: "f", from_output: "result", to_node: "o", to_input: "value" },
          ],
        },
      },
      explanation: "Wire a temperature to in1; out1 gives it in °F.",
    },
  ],
});
