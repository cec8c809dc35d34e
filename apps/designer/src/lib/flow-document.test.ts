import { nodeCatalog } from "@bms/nodes/definitions";
import { validateFlowConfiguration } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { demoBuildingFlowConfiguration, demoFlowConfiguration } from "./flow-document";

const FLOW_ID = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";

describe("seeded flows", () => {
  it.each([
    ["the quick start's demo building flow", demoBuildingFlowConfiguration(FLOW_ID, "Demo")],
    ["the skeleton flow", demoFlowConfiguration(FLOW_ID, "Skeleton")],
  ])("%s validates against the node library", (_name, flow) => {
    const result = validateFlowConfiguration(flow, nodeCatalog());
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it("the demo building flow commands VAV-1's reheat valve on the demo site, not a test device", () => {
    const flow = demoBuildingFlowConfiguration(FLOW_ID, "Demo");
    const points = flow.nodes.flatMap((n) => (typeof n.config.point === "string" ? [n.config.point] : []));
    expect(points).toEqual([
      "bacnet:3001/analogInput:1.presentValue",
      "bacnet:3001/analogValue:1.presentValue",
      "bacnet:3001/analogOutput:2.presentValue",
    ]);
  });
});
