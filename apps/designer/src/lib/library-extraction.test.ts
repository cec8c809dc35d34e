import { expandSubflowInstances } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { demoFlowConfiguration } from "./flow-document";
import { definitionId, libraryFromExtraction } from "./library-extraction";
import { extractSubflow } from "./subflow-extraction";

describe("save selection as library subflow", () => {
  it("turns the selection into a definition with points inferred, and the node into a bound instance", () => {
    const flow = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Cooling");
    const extraction = extractSubflow(
      flow,
      new Set(["zone_temp", "too_warm", "cooling_cmd"]),
      "Zone cooling",
    );
    if (!extraction.ok) throw new Error(extraction.message);
    const { definition, nodes } = libraryFromExtraction(extraction.value, "Zone cooling", new Set());
    expect(definition.id).toBe("zone-cooling");
    expect(definition.points).toEqual([
      { key: "zone_temp", label: "Zone Temp", direction: "read", optional: false },
      { key: "cooling_cmd", label: "Cooling Cmd", direction: "write", optional: false },
    ]);
    const instance = nodes.find((n) => n.id === extraction.value.subflowId)!;
    expect(instance.config.library).toEqual({
      id: "zone-cooling",
      version: 1,
      points: {
        zone_temp: "bacnet:1001/analogInput:1.presentValue",
        cooling_cmd: "bacnet:1001/binaryOutput:1.presentValue",
      },
      parameters: {},
    });
    // Expanded again, the instance runs the same nodes on the same points as before.
    const expanded = expandSubflowInstances({ ...flow, nodes }, [definition]);
    expect(expanded.problems).toEqual([]);
    const inside = expanded.flow.nodes?.[0]?.config?.flow as {
      nodes: { id: string; config: { point?: string } }[];
    };
    expect(inside.nodes.filter((n) => n.config.point).map((n) => [n.id, n.config.point])).toEqual([
      ["zone_temp", "bacnet:1001/analogInput:1.presentValue"],
      ["cooling_cmd", "bacnet:1001/binaryOutput:1.presentValue"],
    ]);
  });

  it("gives definitions ids the library accepts, unique in the project", () => {
    expect(definitionId("AHU-1 SAT reset!", new Set())).toBe("ahu-1-sat-reset");
    expect(definitionId("VAV", new Set(["vav", "vav-2"]))).toBe("vav-3");
    expect(definitionId("°°°", new Set())).toBe("subflow");
  });
});
