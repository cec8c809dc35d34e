import { describe, expect, it } from "vitest";
import { buildDeploymentPackage, type DeploymentPackage, DeploymentPackageSchema } from "./deployment";
import type { FlowConfigurationInput } from "./flow";
import {
  buildSitePackage,
  checkWriteConflicts,
  flowContentChecksum,
  normalizeDeploymentPackage,
  type SitePackage,
  SitePackageSchema,
  validateSitePackage,
} from "./site";
import { testCatalog } from "./test/catalog";

function flow(id: string, name: string, intervalMs = 1000): FlowConfigurationInput {
  return {
    metadata: { flow_id: id, flow_name: name, version: "1.0.0", generated_at: "2026-11-28T09:00:00.000Z" },
    execution: { trigger: { type: "interval", interval_ms: intervalMs } },
    nodes: [
      { id: "temp", type: "sensor_read", config: { point: "bacnet:100:AI1" }, position: { x: 0, y: 0 } },
      { id: "hot", type: "threshold", config: { operator: ">", value: 25.5 } },
    ],
    connections: [{ from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" }],
  };
}

const AHU = "3f1c2b7e-8a4d-4e2f-9b6a-1c2d3e4f5a6b";
const VAV = "7a2d9c41-1b3e-4f50-8c6d-2e3f4a5b6c7d";

function single(): DeploymentPackage {
  return DeploymentPackageSchema.parse(
    buildDeploymentPackage({
      project_id: "p1",
      project_name: "Demo",
      configuration: flow(AHU, "AHU-1"),
      created_at: "2026-11-28T09:00:01.000Z",
      deployed_by: "ana",
    }),
  );
}

function site(flows: FlowConfigurationInput[]) {
  return buildSitePackage({
    project: { id: "p1", name: "Demo", version: "2.0.0" },
    flows,
    created_at: "2026-11-28T09:00:01.000Z",
  });
}

describe("normalizeDeploymentPackage", () => {
  const v1 = single();
  const v2 = SitePackageSchema.parse(site([flow(AHU, "AHU-1"), flow(VAV, "VAV", 5000)]));
  it.each<[string, DeploymentPackage | SitePackage, object]>([
    [
      "single-flow package → a site of one flow",
      v1,
      {
        project: { id: "p1", name: "Demo", version: "1.0.0" },
        flowPaths: ["configuration"],
        deployed_by: "ana",
        checksum: v1.checksum,
      },
    ],
    [
      "site package → itself, flows at flows[i]",
      v2,
      { project: { id: "p1", name: "Demo", version: "2.0.0" }, flowPaths: ["flows[0]", "flows[1]"] },
    ],
  ])("%s", (_name, input, expected) => {
    const out = normalizeDeploymentPackage(input);
    expect(out).toMatchObject(expected);
    expect(out.format_version).toBe(2);
    expect(out.flows.map((f) => f.metadata.flow_id)).toEqual(
      "flows" in input ? input.flows.map((f) => f.metadata.flow_id) : [input.configuration.metadata.flow_id],
    );
  });

  it("keeps each flow's own trigger", () => {
    const out = normalizeDeploymentPackage(v2);
    expect(out.flows.map((f) => f.execution.trigger)).toEqual([
      { type: "interval", interval_ms: 1000 },
      { type: "interval", interval_ms: 5000 },
    ]);
  });
});

describe("validateSitePackage", () => {
  it("reads a single-flow package as a site of one flow", () => {
    const result = validateSitePackage(buildDeploymentPackage({ ...single() }), testCatalog);
    expect(result.ok && result.value.flows.length).toBe(1);
  });

  it("accepts a two-flow site with a correct checksum", () => {
    const result = validateSitePackage(site([flow(AHU, "AHU-1"), flow(VAV, "VAV")]), testCatalog);
    expect(result.ok).toBe(true);
  });

  it("rejects a site whose content changed after the checksum", () => {
    const pkg = site([flow(AHU, "AHU-1")]);
    pkg.project.name = "Other";
    const result = validateSitePackage(pkg, testCatalog);
    expect(!result.ok && result.errors[0]?.path).toBe("checksum");
  });

  it("refuses two flows with one id, naming both", () => {
    const result = validateSitePackage(site([flow(AHU, "AHU-1"), flow(AHU, "Copy of AHU-1")]), testCatalog);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        path: "flows[1].metadata.flow_id",
        code: "duplicate_flow_id",
        message: expect.stringContaining('flow "Copy of AHU-1" has the same id as flow "AHU-1"'),
      },
    ]);
  });

  it("prefixes a flow's own problems with its place in the site", () => {
    const bad = flow(VAV, "VAV");
    bad.nodes[1]!.type = "no_such_type";
    const result = validateSitePackage(site([flow(AHU, "AHU-1"), bad]), testCatalog);
    expect(!result.ok && result.errors.map((e) => [e.path, e.code])).toEqual([
      ["flows[1].nodes[1].type", "unknown_type"],
    ]);
  });
});

describe("checkWriteConflicts", () => {
  const ahu = {
    flowId: AHU,
    flowName: "AHU-1",
    path: "flows[0]",
    nodes: [{ id: "fan", index: 3, label: "Supply fan", writes: [{ ref: "bacnet:100:BO1", priority: 8 }] }],
  };
  it.each([
    ["same point, same priority, two flows", 8, 1],
    ["same point, another priority (the priority array arbitrates)", 9, 0],
  ])("%s", (_name, priority, count) => {
    const plant = {
      flowId: VAV,
      flowName: "Plant",
      path: "flows[1]",
      nodes: [{ id: "pump", index: 0, writes: [{ ref: "bacnet:100:BO1", priority }] }],
    };
    const problems = checkWriteConflicts([ahu, plant]);
    expect(problems).toHaveLength(count);
    if (count === 1) {
      expect(problems[0]).toEqual({
        path: "flows[1].nodes[0]",
        code: "write_conflict",
        message: expect.stringMatching(
          /node "pump" in flow "Plant" and node "Supply fan" in flow "AHU-1" both command bacnet:100:BO1 at priority 8/,
        ),
      });
    }
  });
});

describe("flowContentChecksum", () => {
  const base = SitePackageSchema.parse(site([flow(AHU, "AHU-1")])).flows[0]!;
  it("ignores node positions and the export time", () => {
    const moved = structuredClone(base);
    moved.nodes[0]!.position = { x: 500, y: 40 };
    moved.metadata.generated_at = "2026-12-01T10:00:00.000Z";
    expect(flowContentChecksum(moved)).toBe(flowContentChecksum(base));
  });
  it("changes with the trigger or a node's config", () => {
    const slower = structuredClone(base);
    slower.execution.trigger = { type: "interval", interval_ms: 2000 };
    const edited = structuredClone(base);
    edited.nodes[1]!.config = { operator: ">", value: 26 };
    expect(flowContentChecksum(slower)).not.toBe(flowContentChecksum(base));
    expect(flowContentChecksum(edited)).not.toBe(flowContentChecksum(base));
  });
});
