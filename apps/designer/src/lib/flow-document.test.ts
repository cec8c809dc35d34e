import { nodeCatalog, nodeWrites } from "@bms/nodes/definitions";
import { demoSitePackage } from "@bms/nodes/starters";
import { validateFlowConfiguration } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { demoSiteDocument } from "./demo-site";
import { demoBuildingFlowConfiguration, demoFlowConfiguration } from "./flow-document";
import { checkProjectDocument } from "./site-check";

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

describe("the quick start's demo site", () => {
  it("is the supervisor's first-start site: five flows on the demo building from the starter library, nothing to fix", () => {
    const doc = demoSiteDocument();
    const check = checkProjectDocument(doc);
    expect(check.problems).toEqual([]);
    expect(
      doc.flows.map((f) => [f.configuration.metadata.flow_name, f.configuration.execution.trigger]),
    ).toEqual([
      ["AHU-1", { type: "interval", interval_ms: 1000 }],
      ["VAV boxes", { type: "interval", interval_ms: 5000 }],
      ["CHW plant", { type: "interval", interval_ms: 1000 }],
      ["HW plant", { type: "interval", interval_ms: 1000 }],
      ["Lighting schedule", { type: "interval", interval_ms: 60_000 }],
    ]);
    // The same flow ids as the package the supervisor deploys on its first start, so a deploy from the
    // Designer is a redeploy of the same site.
    expect(doc.flows.map((f) => f.configuration.metadata.flow_id)).toEqual(
      demoSitePackage("2026-01-01T00:00:00Z").flows.map((f) => f.metadata.flow_id),
    );
    // Expanded, each VAV instance commands its own box: no point is written twice.
    const writes = check.flows.flatMap((f) => f.nodes.flatMap((n) => nodeWrites(n).map((w) => w.ref)));
    expect(new Set(writes).size).toBe(writes.length);
    expect(check.shared).toEqual([]);
  });
});
