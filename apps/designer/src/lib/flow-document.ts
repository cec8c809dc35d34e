import { starterSubflows } from "@bms/nodes/starters";
import {
  type FlowCanvas,
  type FlowConfiguration,
  FlowConfigurationStructureSchema,
  type ProjectDocument,
} from "@bms/schemas";

/**
 * A flow's canvas extras (viewport, comments, groups): defined once with the project document in
 * @bms/schemas; the editor calls them flow data, as seed §8.1 does.
 */
export { type FlowCanvas as FlowData, FlowCanvasSchema as FlowDataSchema } from "@bms/schemas";

export const EMPTY_FLOW_DATA: FlowCanvas = { comments: [], groups: [] };

/** A project of one flow and an empty library. */
export function singleFlowDocument(
  configuration: FlowConfiguration,
  flowData: FlowCanvas = EMPTY_FLOW_DATA,
): ProjectDocument {
  return { flows: [{ configuration, flow_data: flowData }], library: [] };
}

/** A project of one empty flow, its library holding the starter subflows: what a new project opens on. */
export function emptyProjectDocument(flowId: string, flowName: string): ProjectDocument {
  return { ...singleFlowDocument(emptyFlowConfiguration(flowId, flowName)), library: starterSubflows() };
}

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

/**
 * The quick start's project: VAV-1's hot-water reheat under PID control, with a high-temperature alarm.
 * It runs against the simulator's `demo` building, which `pnpm start` serves (VAV-1 is device 3001:
 * AI1 zone temperature, AV1 occupied setpoint, AO2 reheat valve).
 */
export function demoBuildingFlowConfiguration(flowId: string, name: string): FlowConfiguration {
  const flow = emptyFlowConfiguration(flowId, name);
  return FlowConfigurationStructureSchema.parse({
    ...flow,
    metadata: {
      ...flow.metadata,
      description: "VAV-1 reheat valve on PID to the occupied setpoint; alarm above 26 °C",
    },
    nodes: [
      {
        id: "zone_temp",
        type: "sensor_read",
        version: 1,
        alias: "zone_temp",
        label: "VAV-1 Zone Temp",
        position: { x: 60, y: 80 },
        config: { point: "bacnet:3001/analogInput:1.presentValue", fallback: null, max_age_ms: 0 },
      },
      {
        id: "setpoint",
        type: "sensor_read",
        version: 1,
        label: "VAV-1 Occupied Setpoint",
        position: { x: 60, y: 260 },
        config: { point: "bacnet:3001/analogValue:1.presentValue", fallback: 21, max_age_ms: 0 },
      },
      {
        id: "reheat_pid",
        type: "pid",
        version: 1,
        label: "Reheat PID",
        position: { x: 400, y: 140 },
        config: { kp: 20, ti_s: 300, td_s: 0, action: "reverse", out_min: 0, out_max: 100, sample_time_s: 5 },
      },
      {
        id: "reheat_valve",
        type: "actuator_write",
        version: 1,
        label: "VAV-1 Reheat Valve",
        position: { x: 740, y: 140 },
        config: {
          point: "bacnet:3001/analogOutput:2.presentValue",
          priority: 10,
          heartbeat_ms: 0,
          on_bad_input: "hold",
          fallback: null,
        },
      },
      {
        id: "too_warm",
        type: "threshold",
        version: 1,
        label: "Above 26 °C",
        position: { x: 400, y: 380 },
        config: { operator: ">", value: 26, tolerance: 0 },
      },
      {
        id: "high_alarm",
        type: "alert",
        version: 1,
        label: "Zone high alarm",
        position: { x: 740, y: 380 },
        config: { message: "VAV-1 zone temperature high: $zone_temp °C", priority: "high", on_delay_s: 60 },
      },
    ],
    connections: [
      { from_node: "zone_temp", from_output: "value", to_node: "reheat_pid", to_input: "pv" },
      { from_node: "setpoint", from_output: "value", to_node: "reheat_pid", to_input: "setpoint" },
      { from_node: "reheat_pid", from_output: "output", to_node: "reheat_valve", to_input: "value" },
      { from_node: "zone_temp", from_output: "value", to_node: "too_warm", to_input: "value" },
      { from_node: "too_warm", from_output: "result", to_node: "high_alarm", to_input: "condition" },
      { from_node: "zone_temp", from_output: "value", to_node: "high_alarm", to_input: "value" },
    ],
  });
}
