import {
  buildSitePackage,
  checkWriteConflicts,
  type FlowWrites,
  type Site,
  SitePackageSchema,
  validateSitePackage,
} from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { nodeCatalog } from "../engine/catalog";
import { compileFlow, type FlowPlan } from "../engine/compile";
import { FlowRuntime } from "../engine/flow-runtime";
import { nodeCommands } from "../engine/node-commands";
import { lookupNode } from "../registry";
import { DEMO_FLOW_IDS, demoSitePackage } from "./demo-site";

/** Write arbitration input from compiled plans, as the supervisor's SiteEngine.compile builds it. */
function writesOf(site: Site, plans: FlowPlan[]): FlowWrites[] {
  return plans.map((plan, i) => ({
    flowId: plan.flow.metadata.flow_id,
    flowName: plan.flow.metadata.flow_name,
    path: site.flowPaths[i]!,
    nodes: plan.nodes.map((n) => ({
      id: n.id,
      index: plan.flow.nodes.findIndex((c) => c.id === n.id),
      label: plan.flow.nodes.find((c) => c.id === n.id)?.label,
      writes: nodeCommands(n),
    })),
  }));
}

function compiled(pkg: unknown) {
  const checked = validateSitePackage(pkg, nodeCatalog(lookupNode));
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const plans = checked.value.flows.map((f) => {
    const plan = compileFlow(f, lookupNode);
    if (!plan.ok) throw new Error(`${f.metadata.flow_name}: ${JSON.stringify(plan.errors)}`);
    return plan.value;
  });
  return { site: checked.value, plans };
}

describe("demo site", () => {
  it("is a valid, checksummed site package whose five flows compile with the real compiler", () => {
    const pkg = demoSitePackage("2026-12-01T12:00:00.000Z");
    expect(SitePackageSchema.safeParse(pkg).success).toBe(true);
    const { site, plans } = compiled(pkg);
    expect(site.flows.map((f) => [f.metadata.flow_name, f.execution.trigger])).toEqual([
      ["AHU-1", { type: "interval", interval_ms: 1000 }],
      ["VAV boxes", { type: "interval", interval_ms: 5000 }],
      ["CHW plant", { type: "interval", interval_ms: 1000 }],
      ["HW plant", { type: "interval", interval_ms: 1000 }],
      ["Lighting schedule", { type: "interval", interval_ms: 60000 }],
    ]);
    // Ten VAV instances, each commanding its own box's damper and valve.
    const vav = plans[1]!;
    expect(vav.nodes.filter((n) => n.type === "subflow")).toHaveLength(10);
    expect(vav.writes).toHaveLength(20);
    expect(vav.writes).toContain("bacnet:3010/analogOutput:2.presentValue");
    // The CHW plant runs the pumps on device 2005.
    expect(plans[2]!.writes).toEqual(
      expect.arrayContaining([
        "bacnet:2005/binaryOutput:51.presentValue",
        "bacnet:2005/binaryOutput:61.presentValue",
        "bacnet:2005/analogOutput:51.presentValue",
      ]),
    );
  });

  it("has no write conflict across its flows, and the check catches one added to it", () => {
    const pkg = demoSitePackage("2026-12-01T12:00:00.000Z");
    const { site, plans } = compiled(pkg);
    expect(checkWriteConflicts(writesOf(site, plans))).toEqual([]);

    // A lighting flow that also commands VAV-3's damper at the VAV flow's priority must be refused.
    const flows = structuredClone(pkg.flows);
    const lighting = flows.find((f) => f.metadata.flow_id === DEMO_FLOW_IDS.lighting)!;
    lighting.nodes.push({
      id: "stray",
      type: "actuator_write",
      label: "Stray damper write",
      config: { point: "bacnet:3003/analogOutput:1" },
    });
    lighting.connections.push({
      from_node: "hours",
      from_output: "value",
      to_node: "stray",
      to_input: "value",
    });
    const { checksum: _old, format_version: _f, ...body } = pkg;
    const bad = compiled(buildSitePackage({ ...body, flows }));
    const problems = checkWriteConflicts(writesOf(bad.site, bad.plans));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "write_conflict", path: "flows[4].nodes[5]" });
    expect(problems[0]?.message).toContain('"VAV boxes"');
    expect(problems[0]?.message).toContain("bacnet:3003/analogOutput:1.presentValue");
  });

  it("every flow commands its plant within a few scans of simulated points", async () => {
    const { plans } = compiled(demoSitePackage());
    for (const plan of plans) {
      const runtime = new FlowRuntime(plan, { onFailure: "continue", retryCount: 0, clock: () => 0 });
      // Plausible readings for everything the flow reads (binary points 0, analog 22).
      const readPoint = (point: string) => ({
        value: point.includes("/binary") ? 0 : 22,
        quality: "good" as const,
        timestamp: 0,
      });
      const written = new Set<string>();
      for (let s = 0; s < 3; s++) {
        const result = await runtime.runScan({
          now: 1_764_590_400_000 + s * 1000,
          trigger: "interval",
          readPoint,
        });
        expect(
          result.runs.filter((r) => r.status === "error"),
          plan.flow.metadata.flow_name,
        ).toEqual([]);
        for (const w of result.writes) written.add(w.point);
      }
      expect([...written].sort(), plan.flow.metadata.flow_name).toEqual([...plan.writes].sort());
    }
  });
});
