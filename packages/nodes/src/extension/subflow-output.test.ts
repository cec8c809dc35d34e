import { describe, expect, it } from "vitest";
import type { NodeValue } from "../core/types";
import { nodeRunner, T0, v } from "../testing/node-runner";
import { subflowOutput } from "./subflow-output";

describe("subflow_output", () => {
  const cases: NodeValue[] = [v(3), v(3, "uncertain", "stale"), v(null, "bad", "offline"), v([1, 2])];
  it.each(cases)("passes %o through unchanged", (input) => {
    const out = nodeRunner(subflowOutput, { name: "result" }).run({ value: input }).value;
    expect(out).toEqual({ ...input, timestamp: T0 });
  });
});
