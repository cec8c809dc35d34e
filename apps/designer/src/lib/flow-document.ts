import { type FlowConfiguration, FlowConfigurationStructureSchema } from "@bms/schemas";
import { z } from "zod";

/**
 * What the canvas adds to a FlowConfiguration (seed §8.1 `flow_data`): the viewport and the
 * comments/groups the runtime never sees. Node positions live in the configuration itself, so the
 * configuration stays the one source of truth for the graph.
 */
export const FlowDataSchema = z.object({
  viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() }).optional(),
  comments: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        text: z.string().max(2000),
        position: z.object({ x: z.number(), y: z.number() }),
        width: z.number().positive().max(5000).default(240),
        height: z.number().positive().max(5000).default(120),
      }),
    )
    .max(1000)
    .default([]),
});
export type FlowData = z.infer<typeof FlowDataSchema>;

export const EMPTY_FLOW_DATA: FlowData = { comments: [] };

export function flowSemver(version: number): string {
  return `1.0.${Math.max(0, version)}`;
}

export function emptyFlowConfiguration(flowId: string, name: string): FlowConfiguration {
  return FlowConfigurationStructureSchema.parse({
    metadata: {
      flow_id: flowId,
      flow_name: name.slice(0, 100) || "Untitled flow",
      version: flowSemver(0),
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval", interval_ms: 1000 },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes: [],
    connections: [],
  });
}

/**
 * The walking-skeleton flow: cool the zone while it is above 24 °C. It runs against the simulator's
 * `skeleton` site (device 1001) and opens the quick start on something that does work.
 */
export function demoFlowConfiguration(flowId: string, name: string): FlowConfiguration {
  const flow = emptyFlowConfiguration(flowId, name);
  return FlowConfigurationStructureSchema.parse({
    ...flow,
    metadata: { ...flow.metadata, description: "Cooling command on when the zone is above 24 °C" },
    nodes: [
      {
        id: "zone_temp",
        type: "sensor_read",
        version: 1,
        label: "Zone Temp",
        position: { x: 80, y: 120 },
        config: { point: "bacnet:1001/analogInput:1.presentValue", fallback: null, max_age_ms: 0 },
      },
      {
        id: "too_warm",
        type: "threshold",
        version: 1,
        label: "Above 24 °C",
        position: { x: 400, y: 120 },
        config: { operator: ">", value: 24, tolerance: 0 },
      },
      {
        id: "cooling_cmd",
        type: "actuator_write",
        version: 1,
        label: "Cooling Cmd",
        position: { x: 720, y: 120 },
        config: {
          point: "bacnet:1001/binaryOutput:1.presentValue",
          priority: 8,
          heartbeat_ms: 0,
          on_bad_input: "hold",
          fallback: null,
        },
      },
    ],
    connections: [
      { from_node: "zone_temp", from_output: "value", to_node: "too_warm", to_input: "value" },
      { from_node: "too_warm", from_output: "result", to_node: "cooling_cmd", to_input: "value" },
    ],
  });
}
