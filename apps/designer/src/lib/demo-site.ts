import { randomUUID } from "node:crypto";
import { starterSubflows } from "@bms/nodes/starters";
import { FlowConfigurationStructureSchema, type ProjectDocument } from "@bms/schemas";
import { demoBuildingFlowConfiguration, EMPTY_FLOW_DATA, emptyFlowConfiguration } from "./flow-document";

/** One starter VAV instance bound to a demo-building VAV controller (AI1 zone, BI1 occupancy, AO1 damper, AO2 reheat). */
function vavInstance(device: number, x: number) {
  const library = starterSubflows().find((d) => d.id === "vav-cooling-reheat")!;
  return {
    id: `vav_${device}`,
    type: "subflow",
    version: 1,
    label: `VAV-${device - 3000}`,
    position: { x, y: 120 },
    config: {
      name: library.name,
      input_count: library.input_count,
      output_count: library.output_count,
      labels: library.labels,
      flow: { nodes: [], connections: [] },
      library: {
        id: library.id,
        version: library.version,
        points: {
          zone_temp: `bacnet:${device}/analogInput:1`,
          occupancy: `bacnet:${device}/binaryInput:1`,
          damper: `bacnet:${device}/analogOutput:1`,
          reheat: `bacnet:${device}/analogOutput:2`,
        },
        parameters: {},
      },
    },
  };
}

/**
 * The quick start's project: the demo building as a site of three flows, two of them built from the
 * starter library. VAV-1 keeps its hand-built PID flow (every second); VAV-2 to VAV-4 are three instances
 * of "VAV cooling with reheat" (every 5 s); AHU-1's supply-air setpoint is reset from VAV-1's damper
 * position and the outdoor temperature (every 10 s); the chilled-water plant's two pumps run lead/lag on
 * the loop DP (every 2 s; device 2005: pump j in block 40 + 10·j, loop DP AI3).
 */
export function demoSiteDocument(): ProjectDocument {
  const vav1 = demoBuildingFlowConfiguration(randomUUID(), "VAV-1 reheat (PID)");
  const vavs = FlowConfigurationStructureSchema.parse({
    ...emptyFlowConfiguration(randomUUID(), "VAV-2 to VAV-4"),
    execution: {
      trigger: { type: "interval", interval_ms: 5000 },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes: [vavInstance(3002, 80), vavInstance(3003, 420), vavInstance(3004, 760)],
  });
  const reset = starterSubflows().find((d) => d.id === "ahu-sat-reset")!;
  const ahu = FlowConfigurationStructureSchema.parse({
    ...emptyFlowConfiguration(randomUUID(), "AHU-1 supply-air reset"),
    execution: {
      trigger: { type: "interval", interval_ms: 10_000 },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes: [
      {
        id: "vav1_damper",
        type: "sensor_read",
        version: 1,
        label: "VAV-1 damper position",
        position: { x: 80, y: 120 },
        config: { point: "bacnet:3001/analogInput:3", fallback: 50, max_age_ms: 0 },
      },
      {
        id: "sat_reset",
        type: "subflow",
        version: 1,
        label: "AHU-1 SAT reset",
        position: { x: 420, y: 120 },
        config: {
          name: reset.name,
          input_count: reset.input_count,
          output_count: reset.output_count,
          labels: reset.labels,
          flow: { nodes: [], connections: [] },
          library: {
            id: reset.id,
            version: reset.version,
            points: { oat: "bacnet:2001/analogInput:4", sat_setpoint: "bacnet:2001/analogValue:1" },
            parameters: {},
          },
        },
      },
    ],
    connections: [{ from_node: "vav1_damper", from_output: "value", to_node: "sat_reset", to_input: "in1" }],
  });
  const pumps = starterSubflows().find((d) => d.id === "lead-lag-pumps")!;
  const plant = FlowConfigurationStructureSchema.parse({
    ...emptyFlowConfiguration(randomUUID(), "CHW pumps lead/lag"),
    execution: {
      trigger: { type: "interval", interval_ms: 2000 },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes: [
      {
        id: "chw_pumps",
        type: "subflow",
        version: 1,
        label: "CHW pumps",
        position: { x: 240, y: 120 },
        config: {
          name: pumps.name,
          input_count: pumps.input_count,
          output_count: pumps.output_count,
          labels: pumps.labels,
          flow: { nodes: [], connections: [] },
          library: {
            id: pumps.id,
            version: pumps.version,
            points: {
              p1_cmd: "bacnet:2005/binaryOutput:51",
              p1_status: "bacnet:2005/binaryInput:51",
              p1_fault: "bacnet:2005/binaryInput:52",
              p1_speed: "bacnet:2005/analogOutput:51",
              p2_cmd: "bacnet:2005/binaryOutput:61",
              p2_status: "bacnet:2005/binaryInput:61",
              p2_fault: "bacnet:2005/binaryInput:62",
              p2_speed: "bacnet:2005/analogOutput:61",
              loop_dp: "bacnet:2005/analogInput:3",
            },
            parameters: {},
          },
        },
      },
    ],
  });
  return {
    flows: [vav1, vavs, ahu, plant].map((configuration) => ({ configuration, flow_data: EMPTY_FLOW_DATA })),
    library: starterSubflows(),
  };
}
