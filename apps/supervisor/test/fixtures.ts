import { buildDeploymentPackage, type FlowConfigurationInput } from "@bms/schemas";
import { testFlow } from "@bms/test-support";

/** sensor_read → threshold → actuator_write on the simulator's skeleton device. */
export function skeletonFlow(options: {
  limit: number;
  priority?: number;
  intervalMs?: number;
  name?: string;
  flowId?: string;
}) {
  const flow: FlowConfigurationInput = testFlow({
    name: options.name ?? "Zone cooling",
    ...(options.flowId ? { flowId: options.flowId } : {}),
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    nodes: [
      {
        id: "temp",
        type: "sensor_read",
        alias: "zone_temp",
        position: { x: 0, y: 0 },
        config: { point: "bacnet:1001/analogInput:1" },
      },
      {
        id: "hot",
        type: "threshold",
        position: { x: 250, y: 0 },
        config: { operator: ">", value: options.limit },
      },
      {
        id: "cool",
        type: "actuator_write",
        position: { x: 500, y: 0 },
        config: { point: "bacnet:1001/binaryOutput:1", priority: options.priority ?? 8 },
      },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "hot", from_output: "result", to_node: "cool", to_input: "value" },
    ],
  });
  return flow;
}

export function packageOf(flow: FlowConfigurationInput, projectName = "Skeleton") {
  return buildDeploymentPackage({
    project_id: "skeleton",
    project_name: projectName,
    configuration: flow,
    bacnet_objects: [],
    created_at: new Date().toISOString(),
  });
}

/**
 * A flow whose alert node "pumps" is in alarm from its first scan (any zone temperature is above -1000):
 * the demo's CHW and HW plants both hold a node "pumps", so only the flow's name tells their alarms apart.
 */
export function pumpAlarmFlow(flowId: string, name: string): FlowConfigurationInput {
  return testFlow({
    name,
    flowId,
    intervalMs: 250,
    nodes: [
      { id: "temp", type: "sensor_read", config: { point: "bacnet:1001/analogInput:1" } },
      { id: "any", type: "threshold", config: { operator: ">", value: -1000 } },
      { id: "pumps", type: "alert", config: { message: "Pump 1 failed", priority: "high" } },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "any", to_input: "value" },
      { from_node: "any", from_output: "result", to_node: "pumps", to_input: "condition" },
    ],
  });
}
