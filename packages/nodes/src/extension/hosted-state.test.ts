import { describe, expect, it } from "vitest";
import { loop } from "../control/loop";
import type { AnyNodeDefinition, NodeOutputs } from "../core/types";
import { mathAndLatch } from "../testing/hosted-flows";
import { nodeRunner } from "../testing/node-runner";
import "../registry";
import { subflow } from "./subflow";

/**
 * What a power cut may lose inside a node that hosts a flow (subflow, loop): the part of its state
 * written at the end of the scan (NodeDefinition.onChangeState) holds only the inner on-change nodes'
 * (a latch; for a loop, also which items exist), so an inner math node's periodic state is left to the
 * save interval. Each step feeds values and says whether that part must have changed since the last.
 */
interface Row {
  host: string;
  definition: AnyNodeDefinition;
  config: unknown;
  feed(values: number[]): Record<string, unknown>;
  result(outputs: NodeOutputs): unknown;
  /** The inner latches' saved outputs (per item for a loop) after the last step. */
  latches(state: unknown): unknown;
  latched: unknown;
  steps: { values: number[]; result: unknown; partChanges: boolean; why: string }[];
}

interface Saved {
  node_id: string;
  state: unknown;
}
const tripOf = (saved: Saved[]) => (saved.find((s) => s.node_id === "trip")?.state as { q?: boolean })?.q;

const ROWS: Row[] = [
  {
    host: "subflow",
    definition: subflow,
    config: { flow: mathAndLatch("in1", "out1") },
    feed: ([x]) => ({ in1: x }),
    result: (out) => out.out1?.value,
    latches: (state) => tripOf((state as { saved: Saved[] }).saved),
    latched: true,
    steps: [
      { values: [1], result: 2, partChanges: true, why: "the first scan" },
      { values: [2], result: 4, partChanges: false, why: "only the math moved" },
      { values: [3], result: 6, partChanges: false, why: "only the math moved" },
      { values: [101], result: 202, partChanges: true, why: "the latch tripped" },
    ],
  },
  {
    host: "loop",
    definition: loop,
    config: { flow: mathAndLatch("item", "result") },
    feed: (items) => ({ items }),
    result: (out) => out.results?.value,
    latches: (state) => (state as { items: Saved[][] }).items.map(tripOf),
    latched: [false, true, false],
    steps: [
      { values: [1, 2], result: [2, 4], partChanges: true, why: "the first scan" },
      { values: [3, 4], result: [6, 8], partChanges: false, why: "only the math moved" },
      { values: [3, 4, 5], result: [6, 8, 10], partChanges: true, why: "a new item" },
      { values: [3, 400, 5], result: [6, 800, 10], partChanges: true, why: "item 2's latch tripped" },
    ],
  },
];

describe("hosted flows: what a power cut may lose", () => {
  it.each(ROWS)(
    "$host: periodic inner state left to the interval, on-change state written at once",
    async (row) => {
      const r = nodeRunner(row.definition, row.config as never);
      const part = () => JSON.stringify(row.definition.onChangeState!(r.state, r.config));
      let before = "null";
      let whole = "null";
      for (const step of row.steps) {
        const out = await r.runAsync(row.feed(step.values) as never, 1000);
        expect(row.result(out), step.why).toEqual(step.result);
        // The whole state moves every scan (the math's last); the written part only when told.
        expect(JSON.stringify(r.state), step.why).not.toBe(whole);
        expect(part() !== before, step.why).toBe(step.partChanges);
        before = part();
        whole = JSON.stringify(r.state);
      }
    },
  );
});
