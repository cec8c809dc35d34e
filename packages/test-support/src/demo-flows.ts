import { randomUUID } from "node:crypto";

/**
 * A flow configuration with the header every test flow shares: a fresh id unless given, version 1.0.0,
 * an interval trigger (500 ms unless given), no retries and "continue" on a node failure. Plain JSON (a
 * FlowConfigurationInput), so any test can package and deploy it.
 */
export function testFlow<Node, Connection = never>(options: {
  name: string;
  flowId?: string;
  intervalMs?: number;
  nodes: Node[];
  connections?: Connection[];
}) {
  return {
    metadata: {
      flow_id: options.flowId ?? randomUUID(),
      flow_name: options.name,
      version: "1.0.0",
      generated_at: new Date().toISOString(),
    },
    execution: {
      trigger: { type: "interval" as const, interval_ms: options.intervalMs ?? 500 },
      error_handling: { retry_count: 0, timeout_ms: 2000, on_failure: "continue" as const },
    },
    nodes: options.nodes,
    connections: options.connections ?? [],
  };
}

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
  return testFlow({
    name: options.name ?? "Reheat test",
    ...(options.flowId ? { flowId: options.flowId } : {}),
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
  });
}

/** The skeleton site's controller (device 1001): its zone temperature and a writable setpoint. */
export const SKELETON_ZONE = "bacnet:1001/analogInput:1";
export const SKELETON_SETPOINT = "bacnet:1001/analogValue:1";

/**
 * zone temperature → `expression` of it (input a) → the setpoint AV at priority 12, every `intervalMs`:
 * what the device holds at priority 12 shows what the flow computed (the debugger and replay tests).
 */
export function zoneToSetpointFlow(options: {
  flowId: string;
  name: string;
  expression?: string;
  intervalMs?: number;
}) {
  return testFlow({
    name: options.name,
    flowId: options.flowId,
    intervalMs: options.intervalMs ?? 200,
    nodes: [
      { id: "zone", type: "sensor_read", label: "Zone", config: { point: SKELETON_ZONE } },
      {
        id: "calc",
        type: "math",
        label: "Calc",
        config: { input_count: 1, expression: options.expression ?? "round(a)" },
      },
      {
        id: "sp",
        type: "actuator_write",
        label: "Setpoint",
        config: { point: SKELETON_SETPOINT, priority: 12 },
      },
    ],
    connections: [
      { from_node: "zone", from_output: "value", to_node: "calc", to_input: "a" },
      { from_node: "calc", from_output: "result", to_node: "sp", to_input: "value" },
    ],
  });
}

/**
 * A latch on the skeleton's zone temperature: set above 25 °C, reset below 15 (reset dominant), its
 * output `memory.q`. Node state that must survive a restart (the lifecycle and state tests).
 */
export function skeletonZoneLatch() {
  return {
    nodes: [
      { id: "temp", type: "sensor_read", config: { point: SKELETON_ZONE } },
      { id: "hot", type: "threshold", config: { operator: ">", value: 25 } },
      { id: "cold", type: "threshold", config: { operator: "<", value: 15 } },
      { id: "memory", type: "latch", config: { dominant: "reset" } },
    ],
    connections: [
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "temp", from_output: "value", to_node: "cold", to_input: "value" },
      { from_node: "hot", from_output: "result", to_node: "memory", to_input: "set" },
      { from_node: "cold", from_output: "result", to_node: "memory", to_input: "reset" },
    ],
  };
}
