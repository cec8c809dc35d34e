import { z } from "zod";
import { portGroup } from "../core/port-groups";
import { defineNode, type NodeValue, type Payload } from "../core/types";
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

const EXTRA = ["in1", "in2", "in3", "in4"] as const;
// Shared inputs are drawn only as many as configured (or wired, for loops saved before the count).
const SHARED = portGroup({
  count: "input_count",
  names: EXTRA,
  min: 0,
  default: 0,
  port: (name) => ({ type: "any", label: name }),
  description: "How many shared inputs (in1 …) every item's sub-flow can read",
});

interface LoopState {
  /** Saved state of each item's copy of the sub-flow, by index. */
  items: SavedNodeState[][];
}

/** The live copies, keyed by the state object they were built from (a restored state rebuilds them). */
const live = new WeakMap<LoopState, EmbeddedInstance[]>();

export const loop = defineNode({
  type: "loop",
  version: 1,
  category: "control",
  label: "For Each",
  icon: "repeat",
  description:
    "Runs a sub-flow once per item and outputs the list of results. Items are either one list wired to " +
    "`items` (a script's or a point's array), or several wires to `items`, one item each in wiring order " +
    "(every VAV's zone temperature, each with its own quality). The sub-flow is `flow: { nodes, connections }` in the flow format; inside it, " +
    "`subflow_input` nodes named `item`, `index` (0-based), `count` and in1..in4 (this node's inputs, shared " +
    "by all items) receive values, and a `subflow_output` named `result` gives the item's result. Each item " +
    "has its own copy with its own state (a PID per zone keeps its own integral), kept across scans and " +
    "restarts by index. Points read and written inside are batched with the flow's; alerts get per-item " +
    "keys. A result that is missing (untaken branch) is null with quality uncertain; `results`' quality is " +
    "the worst of the items' results (a bad item reaches the sub-flow as a bad `item`, which decides). Items " +
    "beyond max_items are left out (uncertain). A single `items` wire that is bad gives bad " +
    "results and leaves the copies' state untouched; a single good scalar is one item.",
  inputs: [{ name: "items", type: "any", label: "Items", required: true, multiple: true }, ...SHARED.ports],
  outputs: [
    { name: "results", type: "list", label: "Results" },
    { name: "count", type: "number", label: "Count" },
  ],
  config: z
    .object({
      flow: EmbeddedFlowSchema.describe("The sub-flow run for each item"),
      input_count: SHARED.field,
      max_items: z.number().int().min(1).max(1000).default(100).describe("Items beyond this are left out"),
    })
    .superRefine((c, ctx) => checkEmbedded(c.flow, ctx, ["flow"])),
  points: (config) => embeddedPoints(config.flow),
  prepare: (config) => prepareEmbedded(config.flow),
  // Holds each item's inner state, each part written as its node type says (see subflow); the item count
  // is on-change too.
  statePersistence: "on_change",
  onChangeState: (state, config) => state.items.map((saved) => embeddedOnChangeState(config.flow, saved)),
  initialState: (): LoopState => ({ items: [] }),
  async execute(inputs, config, state, ctx, multi) {
    const plan = compileEmbedded(config.flow);
    if (!plan.ok) throw new Error(`sub-flow does not compile: ${plan.errors[0]?.message ?? "unknown error"}`);
    const wires = multi.items ?? [];
    const single = wires.length === 1 ? wires[0]! : undefined;
    const list = single && Array.isArray(single.value) ? single : undefined;
    // One bad wire may be a failed list: iterating it as one item would reshuffle the copies' state.
    if (wires.length === 0 || single?.quality === "bad") {
      const reason = single?.reason ?? "no items";
      return {
        results: { value: null, quality: "bad", timestamp: ctx.now, reason },
        count: { value: 0, quality: "bad", timestamp: ctx.now, reason },
      };
    }
    const all: NodeValue[] = list
      ? (list.value as readonly Payload[]).map((value) => ({
          value,
          quality: list.quality,
          timestamp: list.timestamp,
        }))
      : [...wires];
    const items = all.slice(0, config.max_items);
    let copies = live.get(state);
    if (!copies) {
      copies = state.items.map((saved) => new EmbeddedInstance(plan.value, saved));
      live.set(state, copies);
    }
    copies.length = Math.min(copies.length, items.length);
    state.items.length = copies.length;

    const shared = new Map<string, NodeValue>();
    for (const name of EXTRA) if (inputs[name]) shared.set(name, inputs[name]!);
    shared.set("count", { value: items.length, quality: "good", timestamp: ctx.now });
    const results: Payload[] = [];
    let worst: NodeValue["quality"] = all.length > items.length ? "uncertain" : "good";
    let reason: string | undefined =
      all.length > items.length ? `${all.length - items.length} items over max_items left out` : undefined;
    // One item after the other: the copies share the host's context, which points at this node.
    for (const [index, item] of items.entries()) {
      copies[index] ??= new EmbeddedInstance(plan.value);
      const given = new Map(shared);
      given.set("item", item);
      given.set("index", { value: index, quality: "good", timestamp: ctx.now });
      const result = (await copies[index]!.run(ctx, given, index)).get("result");
      state.items[index] = copies[index]!.save();
      results.push(result ? result.value : null);
      const quality = result ? result.quality : "uncertain";
      if (quality === "bad" || (quality === "uncertain" && worst === "good")) {
        worst = quality;
        reason = result?.reason ?? `item ${index} gave no result`;
      }
    }
    const out: NodeValue = { value: results, quality: worst, timestamp: ctx.now };
    if (worst !== "good" && reason) out.reason = reason;
    return { results: out, count: { value: items.length, quality: "good", timestamp: ctx.now } };
  },
  examples: [
    {
      title: "Damper position per VAV",
      config: {
        flow: {
          nodes: [
            { id: "zone", type: "subflow_input", config: { name: "item" } },
            { id: "pct", type: "math", config: { expression: "clamp((a - 21) * 25, 0, 100)" } },
            { id: "out", type: "subflow_output", config: { name: "result" } },
          ],
          connections: [
            { from_node: "zone", from_output: "value", to_node: "pct", to_input: "a" },
            { from_node: "pct", from_output: "result", to_node: "out", to_input: "value" },
          ],
        },
      },
      explanation: "Zone temperatures in, a cooling demand in % per zone out; feed `results` to max.",
    },
  ],
});
