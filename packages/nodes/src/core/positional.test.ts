import { describe, expect, it } from "vitest";
import { z } from "zod";
import { flowHarness, testFlow } from "../testing/harness";
import { v } from "../testing/node-runner";
import { portIndex } from "./positional";
import { defineNode, type NodeContext } from "./types";

const ctx = { now: 5, dt: 0, scan: 1, nodeId: "n", flowId: "f" } as NodeContext;

const INPUTS = [
  { name: "a", type: "number" },
  { name: "b", type: "number" },
] as const;
const IN = portIndex(INPUTS);

/** Adds its two inputs; `sum` is inactive (left unset) while b is unconnected. */
const adder = defineNode({
  type: "adder",
  version: 1,
  category: "logic",
  label: "Adder",
  icon: "plus",
  description: "a + b",
  inputs: INPUTS,
  outputs: [
    { name: "sum", type: "number" },
    { name: "a_seen", type: "number" },
  ],
  config: z.object({}),
  run(inputs, _config, _state, c, outputs) {
    const a = inputs[IN.a];
    const b = inputs[IN.b];
    outputs[1] = { value: a?.value ?? null, quality: "good", timestamp: c.now };
    if (b !== undefined)
      outputs[0] = { value: (a?.value as number) + (b.value as number), quality: "good", timestamp: c.now };
  },
});

describe("positional nodes: one run, a named execute derived from it", () => {
  it("names each port by its position", () => {
    expect(IN).toEqual({ a: 0, b: 1 });
    expect(Object.isFrozen(IN)).toBe(true);
  });

  it("derives execute: inputs looked up by name, only the outputs run set", () => {
    expect(adder.execute({ a: v(2), b: v(3) }, {}, {}, ctx, {})).toEqual({
      sum: { value: 5, quality: "good", timestamp: 5 },
      a_seen: { value: 2, quality: "good", timestamp: 5 },
    });
    // An output run leaves unset is inactive: not a key of the named outputs.
    expect(adder.execute({ a: v(2) }, {}, {}, ctx, {})).toEqual({
      a_seen: { value: 2, quality: "good", timestamp: 5 },
    });
  });

  it("refuses a definition with both forms, or neither", () => {
    const base = {
      version: 1,
      category: "logic",
      label: "x",
      icon: "x",
      description: "x",
      inputs: [],
      outputs: [],
    };
    expect(() =>
      defineNode({ ...base, type: "both", config: z.object({}), run() {}, execute: () => ({}) } as never),
    ).toThrow(/execute or run, not both/);
    expect(() => defineNode({ ...base, type: "none", config: z.object({}) } as never)).toThrow(
      /no execute or run/,
    );
  });
});

describe("run records built when read", () => {
  it("show their own scan's inputs and outputs when read after later scans", async () => {
    const h = flowHarness(
      testFlow(
        [
          { id: "p", type: "parameter", config: { name: "p", default: 1 } },
          { id: "m", type: "math", config: { expression: "a * 2" } },
        ],
        [{ from_node: "p", from_output: "value", to_node: "m", to_input: "a" }],
      ),
    );
    const first = await h.scan();
    h.plant.parameters.set("p", 3);
    await h.scan(1000);
    h.plant.parameters.set("p", 5);
    const third = await h.scan(1000);
    // Read only now, two scans later.
    const m1 = first.runs.find((r) => r.nodeId === "m")!;
    expect(m1.status).toBe("completed");
    expect(m1.inputs.a?.value).toBe(1);
    expect(m1.outputs.result?.value).toBe(2);
    expect(third.runs.find((r) => r.nodeId === "m")!.outputs.result?.value).toBe(10);
    // Read twice, the same records; replaced, the replacement.
    expect(first.runs).toBe(first.runs);
    first.runs = [];
    expect(first.runs).toEqual([]);
    // Serialised with its records, as the API sends a scan.
    expect(JSON.parse(JSON.stringify(third)).runs).toHaveLength(2);
  });
});
