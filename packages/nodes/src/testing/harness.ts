import type { FlowConfigurationInput } from "@bms/schemas";
import type { NodeValue, Scalar } from "../core/types";
import { compileFlow } from "../engine/compile";
import { FlowRuntime, type ScanResult } from "../engine/flow-runtime";
import { lookupNode, type NodeRegistryLookup } from "../registry";

export const TEST_FLOW_ID = "00000000-0000-4000-8000-000000000001";

/** A flow document from just nodes and connections, for fixtures and table-driven tests. */
export function testFlow(
  nodes: FlowConfigurationInput["nodes"],
  connections: FlowConfigurationInput["connections"] = [],
): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: TEST_FLOW_ID,
      flow_name: "test",
      version: "1.0.0",
      generated_at: "2026-01-01T00:00:00.000Z",
    },
    nodes,
    connections,
  };
}

export interface FakePlant {
  /** Point values the next scan reads. */
  points: Map<string, NodeValue>;
  parameters: Map<string, Scalar>;
  now: number;
}

/**
 * Runs a flow through the real compiler and runtime on a fake clock: the harness fixture flows and the
 * node tests use. `scan(ms)` advances the clock by ms and evaluates once (await it: a scan may await a
 * script or a sub-flow).
 */
export function flowHarness(
  flow: unknown,
  registry: NodeRegistryLookup = lookupNode,
  start = 1_700_000_000_000,
) {
  const compiled = compileFlow(flow, registry);
  if (!compiled.ok) throw new Error(`flow does not compile: ${JSON.stringify(compiled.errors)}`);
  const runtime = new FlowRuntime(compiled.value, { onFailure: "continue", retryCount: 0, clock: () => 0 });
  const plant: FakePlant = { points: new Map(), parameters: new Map(), now: start };
  return {
    plan: compiled.value,
    runtime,
    plant,
    /** Awaits every node's async set-up (the script engine), as a host does before the first scan. */
    prepare(): Promise<void> {
      return runtime.prepare();
    },
    setPoint(point: string, value: NodeValue["value"], quality: NodeValue["quality"] = "good") {
      plant.points.set(point, { value, quality, timestamp: plant.now });
    },
    scan(advanceMs = 0): Promise<ScanResult> {
      plant.now += advanceMs;
      return runtime.runScan({
        now: plant.now,
        trigger: "interval",
        readPoint: (p) => plant.points.get(p),
        parameter: (n) => plant.parameters.get(n),
      });
    },
    output(nodeId: string, port: string): NodeValue | undefined {
      return runtime.outputsOf(nodeId)?.[port];
    },
  };
}
