import { describe, expect, it } from "vitest";
import type { Comparison } from "../../store/comparison";
import { edgeValueKey } from "./live-edge";

const edge = { source: "a", sourceHandle: "value", target: "b", targetHandle: "in" };

describe("edge live value", () => {
  it("shows the source's output, or else what the target read, with its quality", () => {
    expect(edgeValueKey({ runtime: {}, comparison: null }, edge)).toBeNull();
    const runtime = {
      a: {
        node_id: "a",
        status: "completed" as const,
        output_values: { value: { value: 21.456, quality: "good" } },
      },
      b: { node_id: "b", status: "completed" as const, input_values: { in: { value: 3, quality: "bad" } } },
    };
    expect(edgeValueKey({ runtime, comparison: null }, edge)).toBe("21.46\u0000good");
    expect(edgeValueKey({ runtime: { b: runtime.b }, comparison: null }, edge)).toBe("3\u0000bad");
    expect(
      edgeValueKey(
        {
          runtime: { a: { node_id: "a", status: "completed", output_values: { value: true } } },
          comparison: null,
        },
        edge,
      ),
    ).toBe("true\u0000");
  });

  it("shows nothing while two versions are compared", () => {
    const runtime = { a: { node_id: "a", status: "completed" as const, output_values: { value: 1 } } };
    expect(edgeValueKey({ runtime, comparison: {} as Comparison }, edge)).toBeNull();
  });

  it("reads a point's value with the point's units, and a multi-state value by its state text", () => {
    const nodes = [
      { id: "a", data: { config: { point: "bacnet:1/analogInput:1.presentValue" } } },
      { id: "m", data: { config: { point: "bacnet:2/multiStateValue:1.presentValue" } } },
      { id: "b", data: { config: {} } },
    ];
    const pointValues = {
      "bacnet:1/analogInput:1.presentValue": { value: 21.456, units: "degreesCelsius" },
      "bacnet:2/multiStateValue:1.presentValue": { value: 4, text: "Auto" },
    };
    const runtime = {
      a: {
        node_id: "a",
        status: "completed" as const,
        output_values: { value: { value: 21.456, quality: "good" } },
      },
      m: {
        node_id: "m",
        status: "completed" as const,
        output_values: { value: { value: 4, quality: "good" } },
      },
    };
    const state = { runtime, comparison: null, nodes, pointValues };
    expect(edgeValueKey(state, edge)).toBe("21.46 °C\u0000good");
    expect(edgeValueKey(state, { ...edge, source: "m" })).toBe("Auto\u0000good");
    // A computed value downstream has no units of its own.
    expect(edgeValueKey(state, { ...edge, source: "b", sourceHandle: "result" })).toBeNull();
  });
});
