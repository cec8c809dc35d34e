import { randomUUID } from "node:crypto";

/** VAV-1 of the simulator's demo building: device 3001, reheat valve analogOutput:2 (%), zone temp analogInput:1 (°C). */
export const DEMO_VAV1 = 3001;
export const DEMO_REHEAT_VALVE = "bacnet:3001/analogOutput:2";
export const DEMO_ZONE_TEMP = "bacnet:3001/analogInput:1";
/** Plant Mode on the demo plant controller: a multi-state value Off/Cooling/Heating/Auto, resting at Auto. */
export const DEMO_PLANT_MODE = "bacnet:2002/multiStateValue:1";

/**
 * A flow that holds one priority slot on the demo building: it reads VAV-1's zone temperature and
 * commands the reheat valve to `level` % at priority 8 from a node labelled "Reheat valve". Plain
 * JSON (a FlowConfigurationInput), so any test can package and deploy it.
 */
export function reheatOverrideFlow(options: { flowId?: string; level?: number; name?: string } = {}) {
  return {
    metadata: {
      flow_id: options.flowId ?? randomUUID(),
      flow_name: options.name ?? "Reheat test",
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval" as const, interval_ms: 500 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" as const },
    },
    nodes: [
      {
        id: "zone",
        type: "sensor_read",
        label: "Zone temperature",
        position: { x: 0, y: 0 },
        config: { point: DEMO_ZONE_TEMP },
      },
      { id: "level", type: "constant", position: { x: 0, y: 150 }, config: { value: options.level ?? 35 } },
      {
        id: "reheat",
        type: "actuator_write",
        label: "Reheat valve",
        position: { x: 300, y: 150 },
        config: { point: DEMO_REHEAT_VALVE, priority: 8 },
      },
    ],
    connections: [{ from_node: "level", from_output: "value", to_node: "reheat", to_input: "value" }],
  };
}
