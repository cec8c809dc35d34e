import {
  buildSitePackage,
  expandSubflowInstances,
  type FlowConfigurationInput,
  type SitePackageInput,
  type SubflowDefinition,
  type ValidationProblem,
} from "@bms/schemas";
import { wire } from "./flow-parts";
import { starterSubflows } from "./library";

/**
 * The demo building (apps/simulator/src/sites/demo.json) as one project of five flows built from the
 * starter subflows, each on its own trigger as on a real site:
 * - AHU-1 (1 s): supply-air reset on the VAV dampers and OAT, SAT cooling/heating valves, duct static;
 * - VAVs (5 s): ten instances of the VAV starter, one per box;
 * - CHW plant (1 s): the lead/lag pump starter on device 2005, chillers enabled behind the pumps;
 * - HW plant (1 s): the lead/lag pump starter on device 2006, the lead boiler behind the pumps;
 * - Lighting (60 s): a weekly schedule switching the four lighting zones.
 *
 * Point references name simulator devices and objects that the simulator's demo-site test pins.
 */
export const DEMO_PROJECT = { id: "demo-site", name: "Demo building", version: "1.0.0" } as const;

export const DEMO_FLOW_IDS = {
  ahu: "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0001",
  vav: "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0002",
  chw: "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0003",
  hw: "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0004",
  lighting: "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0005",
} as const;

const VAV_DEVICES = Array.from({ length: 10 }, (_, i) => 3001 + i);
const ref = (device: number, object: string) => `bacnet:${device}/${object}`;
const GENERATED_AT = "2026-12-01T00:00:00.000Z";

function flow(
  key: keyof typeof DEMO_FLOW_IDS,
  name: string,
  intervalMs: number,
  description: string,
  nodes: FlowConfigurationInput["nodes"],
  connections: FlowConfigurationInput["connections"],
): FlowConfigurationInput {
  return {
    metadata: {
      flow_id: DEMO_FLOW_IDS[key],
      flow_name: name,
      version: DEMO_PROJECT.version,
      generated_at: GENERATED_AT,
      description,
    },
    execution: {
      trigger: { type: "interval", interval_ms: intervalMs },
      error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" },
    },
    nodes,
    connections,
  };
}

function ahuFlow(): FlowConfigurationInput {
  const dampers = VAV_DEVICES.map((d, i) => ({
    id: `damper_${i + 1}`,
    type: "sensor_read",
    label: `VAV-${i + 1} damper`,
    config: { point: ref(d, "analogInput:3") },
  }));
  return flow(
    "ahu",
    "AHU-1",
    1000,
    "Supply-air temperature reset on the widest-open VAV damper and OAT; SAT held by the cooling and heating valves; duct static by the fan speed.",
    [
      ...dampers,
      { id: "widest", type: "max", label: "Widest damper", config: { input_count: 1 } },
      {
        id: "reset",
        type: "subflow",
        label: "SAT reset",
        config: {
          library: {
            id: "ahu-sat-reset",
            points: { oat: ref(2001, "analogInput:4"), sat_setpoint: ref(2001, "analogValue:1") },
            // Damper position, not loop output: 30 % is the boxes at minimum airflow, 95 % a zone starving.
            parameters: { demand_low: 30, demand_high: 95, min_sat: 12, max_sat: 18 },
          },
        },
      },
      {
        id: "sat",
        type: "sensor_read",
        label: "Supply air temperature",
        config: { point: ref(2001, "analogInput:1") },
      },
      {
        id: "cooling",
        type: "pid",
        label: "Cooling valve loop",
        config: { kp: 8, ti_s: 90, action: "direct", out_min: 0, out_max: 100 },
      },
      {
        id: "heat_sp",
        type: "math",
        label: "Heating setpoint",
        // One kelvin below the cooling setpoint: the valves never fight.
        config: { input_count: 1, expression: "a - 1" },
      },
      {
        id: "heating",
        type: "pid",
        label: "Heating valve loop",
        config: { kp: 8, ti_s: 90, action: "reverse", out_min: 0, out_max: 100 },
      },
      {
        id: "cool_valve",
        type: "actuator_write",
        label: "Cooling valve",
        config: { point: ref(2001, "analogOutput:3") },
      },
      {
        id: "heat_valve",
        type: "actuator_write",
        label: "Heating valve",
        config: { point: ref(2001, "analogOutput:2") },
      },
      {
        id: "static",
        type: "sensor_read",
        label: "Duct static",
        config: { point: ref(2001, "analogInput:5") },
      },
      {
        id: "static_sp",
        type: "sensor_read",
        label: "Duct static setpoint",
        config: { point: ref(2001, "analogValue:2"), fallback: 250 },
      },
      {
        id: "fan_loop",
        type: "pid",
        label: "Fan speed loop",
        config: { kp: 0.1, ti_s: 20, action: "reverse", out_min: 20, out_max: 100, bias: 70 },
      },
      {
        id: "fan_speed",
        type: "actuator_write",
        label: "Fan speed",
        config: { point: ref(2001, "analogOutput:4") },
      },
    ],
    [
      ...dampers.map((d) => wire(`${d.id}.value`, "widest.inputs")),
      wire("widest.value", "reset.in1"),
      wire("sat.value", "cooling.pv"),
      wire("reset.out1", "cooling.setpoint"),
      wire("reset.out1", "heat_sp.a"),
      wire("sat.value", "heating.pv"),
      wire("heat_sp.result", "heating.setpoint"),
      wire("cooling.output", "cool_valve.value"),
      wire("heating.output", "heat_valve.value"),
      wire("static.value", "fan_loop.pv"),
      wire("static_sp.value", "fan_loop.setpoint"),
      wire("fan_loop.output", "fan_speed.value"),
    ],
  );
}

function vavFlow(): FlowConfigurationInput {
  return flow(
    "vav",
    "VAV boxes",
    5000,
    "The ten VAV boxes, each an instance of the VAV cooling-with-reheat starter bound to its own controller.",
    VAV_DEVICES.map((d, i) => ({
      id: `vav_${i + 1}`,
      type: "subflow",
      label: `VAV-${i + 1}`,
      position: { x: 80 + (i % 5) * 260, y: 80 + Math.floor(i / 5) * 200 },
      config: {
        library: {
          id: "vav-cooling-reheat",
          points: {
            zone_temp: ref(d, "analogInput:1"),
            occupancy: ref(d, "binaryInput:1"),
            damper: ref(d, "analogOutput:1"),
            reheat: ref(d, "analogOutput:2"),
          },
          parameters: {},
        },
      },
    })),
    [],
  );
}

/** The lead/lag starter on one of the demo's water plants (2005 chilled, 2006 hot water). */
function pumpInstance(device: number, dpSetpoint: number) {
  return {
    id: "pumps",
    type: "subflow",
    label: device === 2005 ? "CHW pumps" : "HW pumps",
    config: {
      library: {
        id: "lead-lag-pumps",
        points: {
          p1_cmd: ref(device, "binaryOutput:51"),
          p1_status: ref(device, "binaryInput:51"),
          p1_fault: ref(device, "binaryInput:52"),
          p1_speed: ref(device, "analogOutput:51"),
          p2_cmd: ref(device, "binaryOutput:61"),
          p2_status: ref(device, "binaryInput:61"),
          p2_fault: ref(device, "binaryInput:62"),
          p2_speed: ref(device, "analogOutput:61"),
          loop_dp: ref(device, "analogInput:3"),
        },
        parameters: { dp_setpoint: dpSetpoint },
      },
    },
  };
}

function chwFlow(): FlowConfigurationInput {
  return flow(
    "chw",
    "CHW plant",
    1000,
    "Lead/lag chilled-water pumps on the loop DP; chiller 1 runs behind the pumps, chiller 2 is added on load.",
    [
      pumpInstance(2005, 60),
      { id: "flow_on", type: "threshold", label: "Pumps running", config: { operator: ">", value: 0 } },
      {
        id: "load",
        type: "sensor_read",
        label: "Thermal load",
        config: { point: ref(2005, "analogInput:5") },
      },
      {
        id: "second",
        type: "hysteresis",
        label: "Second chiller wanted",
        // 350 kW is one chiller's capacity: add the second above 330, drop it below 250.
        config: { setpoint: 290, deadband: 80, action: "direct" },
      },
      { id: "both", type: "and", label: "Second chiller", config: { input_count: 2 } },
      {
        id: "ch1",
        type: "actuator_write",
        label: "CH-1 enable",
        config: { point: ref(2005, "binaryOutput:11") },
      },
      {
        id: "ch2",
        type: "actuator_write",
        label: "CH-2 enable",
        config: { point: ref(2005, "binaryOutput:21") },
      },
    ],
    [
      wire("pumps.out1", "flow_on.value"),
      wire("flow_on.result", "ch1.value"),
      wire("load.value", "second.value"),
      wire("flow_on.result", "both.in1"),
      wire("second.output", "both.in2"),
      wire("both.result", "ch2.value"),
    ],
  );
}

function hwFlow(): FlowConfigurationInput {
  return flow(
    "hw",
    "HW plant",
    1000,
    "Lead/lag heating hot-water pumps on the loop DP; the lead boiler runs behind the pumps.",
    [
      pumpInstance(2006, 50),
      { id: "flow_on", type: "threshold", label: "Pumps running", config: { operator: ">", value: 0 } },
      {
        id: "b1",
        type: "actuator_write",
        label: "B-1 enable",
        config: { point: ref(2006, "binaryOutput:11") },
      },
    ],
    [wire("pumps.out1", "flow_on.value"), wire("flow_on.result", "b1.value")],
  );
}

function lightingFlow(): FlowConfigurationInput {
  const office = [{ start: "07:00", end: "19:00" }];
  const zones = [1, 2, 3, 4].map((z) => ({
    id: `zone_${z}`,
    type: "actuator_write",
    label: `Zone ${z} lights`,
    config: { point: ref(2004, `binaryOutput:${z}`) },
  }));
  return flow(
    "lighting",
    "Lighting schedule",
    60_000,
    "Office hours switch the four open-plan lighting zones on floor 1.",
    [
      {
        id: "hours",
        type: "weekly_schedule",
        label: "Office hours",
        config: {
          timezone: "UTC",
          default_value: false,
          monday: office,
          tuesday: office,
          wednesday: office,
          thursday: office,
          friday: office,
        },
      },
      ...zones,
    ],
    zones.map((z) => wire("hours.in_period", `${z.id}.value`)),
  );
}

/** The demo project as the Designer holds it: flows with library instances, and the library. */
export function demoProject(): { flows: FlowConfigurationInput[]; library: SubflowDefinition[] } {
  return { flows: [ahuFlow(), vavFlow(), chwFlow(), hwFlow(), lightingFlow()], library: starterSubflows() };
}

/**
 * The demo project as a site package, instances expanded as the Designer expands them before deploying.
 * Throws on a problem: the demo is ours, so a problem here is a bug the unit test catches first.
 */
export function demoSitePackage(createdAt = new Date().toISOString()): SitePackageInput {
  const { flows, library } = demoProject();
  const problems: ValidationProblem[] = [];
  const expanded = flows.map((f, i) => {
    const out = expandSubflowInstances(f, library, `flows[${i}]`);
    problems.push(...out.problems);
    return out.flow;
  });
  if (problems.length > 0) throw new Error(`the demo site does not expand: ${JSON.stringify(problems)}`);
  return buildSitePackage({
    project: { ...DEMO_PROJECT },
    // The Designer seeds "Demo building" as its version 1 from this very document (seed-demo.ts), so the
    // editor can say "project v1 → running as config v1" rather than "version not recorded".
    project_version: 1,
    flows: expanded as SitePackageInput["flows"],
    bacnet_objects: [],
    created_at: createdAt,
    deployed_by: "demo",
  });
}
