import type { FlowTestCaseInput, TestInputStep } from "@bms/schemas";
import { DEMO_FLOW_IDS } from "./demo-site";

/**
 * Flow test cases for the demo site, one or more per starter sequence (VAV with reheat, AHU supply-air
 * reset, lead/lag pumps) and for the lighting schedule. They ship in the project document and in
 * examples/demo-site.bms.json, and `pnpm flow-test` runs them: what an integrator writes for a site.
 */

const ref = (device: number, object: string) => `bacnet:${device}/${object}`;
type Step = Omit<TestInputStep, "quality"> & { quality?: TestInputStep["quality"] };
const at = (at_s: number, point: string, value: TestInputStep["value"]): Step => ({ at_s, point, value });

const VAV1 = { zone: ref(3001, "analogInput:1"), occ: ref(3001, "binaryInput:1") };
const VAV1_OUT = { damper: ref(3001, "analogOutput:1"), reheat: ref(3001, "analogOutput:2") };
const VAV2 = { zone: ref(3002, "analogInput:1"), occ: ref(3002, "binaryInput:1") };
const VAV2_OUT = { damper: ref(3002, "analogOutput:1"), reheat: ref(3002, "analogOutput:2") };

/** Every VAV damper position the AHU reads (AI3 of 3001–3010) at one value. */
function dampers(at_s: number, value: number): Step[] {
  return Array.from({ length: 10 }, (_, i) => at(at_s, ref(3001 + i, "analogInput:3"), value));
}

/** A pump plant's status and fault inputs (blocks 51/52, 61/62; pump 1 proving flow, pump 2 at rest) and loop DP. */
function pumpInputs(device: number, dp: number): Step[] {
  return [
    at(0, ref(device, "binaryInput:51"), true),
    at(0, ref(device, "binaryInput:52"), false),
    at(0, ref(device, "binaryInput:61"), false),
    at(0, ref(device, "binaryInput:62"), false),
    at(0, ref(device, "analogInput:3"), dp),
  ];
}

/** A working day's outdoor air: 8 °C at 04:00 rising to 28 °C at 16:00 and back, one step an hour. */
function summerDay(point: string): Step[] {
  return Array.from({ length: 24 }, (_, h) =>
    at(h * 3600, point, 18 - 10 * Math.cos(((h - 4) / 24) * 2 * Math.PI)),
  );
}

export function demoTestCases(): FlowTestCaseInput[] {
  return [
    {
      id: "vav-cooling",
      name: "A warm occupied zone opens its damper, keeps the reheat shut, and a zone in the band rests",
      flow_id: DEMO_FLOW_IDS.vav,
      duration_s: 900,
      inputs: [at(0, VAV1.occ, true), at(0, VAV1.zone, 26), at(0, VAV2.occ, true), at(0, VAV2.zone, 22.5)],
      expect: [
        {
          label: "VAV-1 damper fully open within 10 min",
          point: VAV1_OUT.damper,
          mode: "eventually",
          to_s: 600,
          op: "ge",
          value: 99,
          priority: 16,
        },
        { label: "VAV-1 reheat never opens", point: VAV1_OUT.reheat, mode: "always", op: "eq", value: 0 },
        { label: "VAV-2 at minimum airflow", point: VAV2_OUT.damper, mode: "at_end", op: "eq", value: 20 },
        { label: "VAV-2 reheat shut", point: VAV2_OUT.reheat, mode: "at_end", op: "eq", value: 0 },
      ],
    },
    {
      id: "vav-heating",
      name: "A cold occupied zone heats at the heating airflow with the reheat valve",
      flow_id: DEMO_FLOW_IDS.vav,
      duration_s: 900,
      inputs: [at(0, VAV1.occ, true), at(0, VAV1.zone, 19)],
      expect: [
        { label: "damper at heating airflow", point: VAV1_OUT.damper, mode: "at_end", op: "eq", value: 40 },
        {
          label: "reheat above half within 10 min",
          point: VAV1_OUT.reheat,
          mode: "eventually",
          to_s: 600,
          op: "gt",
          value: 50,
        },
      ],
    },
    {
      id: "vav-setback",
      name: "Unoccupied, 25 °C needs no cooling: the damper stays at minimum",
      flow_id: DEMO_FLOW_IDS.vav,
      duration_s: 600,
      inputs: [at(0, VAV1.occ, false), at(0, VAV1.zone, 25)],
      expect: [
        {
          label: "damper at minimum",
          point: VAV1_OUT.damper,
          mode: "always",
          from_s: 5,
          op: "eq",
          value: 20,
        },
        { label: "reheat shut", point: VAV1_OUT.reheat, mode: "always", from_s: 5, op: "eq", value: 0 },
      ],
    },
    {
      id: "ahu-sat-reset-day",
      name: "A summer day: the SAT setpoint follows OAT and demand between 12 and 18 °C, rate-limited",
      flow_id: DEMO_FLOW_IDS.ahu,
      duration_s: 86_400,
      inputs: [
        ...summerDay(ref(2001, "analogInput:4")),
        ...dampers(0, 20),
        // The afternoon load: every zone asks for full airflow from 14:00 to 17:00.
        ...dampers(6 * 3600, 100),
        ...dampers(9 * 3600, 20),
        at(0, ref(2001, "analogInput:1"), 14),
        at(0, ref(2001, "analogInput:5"), 250),
      ],
      expect: [
        {
          label: "setpoint within its limits all day",
          point: ref(2001, "analogValue:1"),
          mode: "always",
          from_s: 60,
          op: "between",
          value: 12,
          max: 18,
          tolerance: 0.001,
        },
        {
          label: "cold night at low demand: maximum setpoint by 01:00",
          point: ref(2001, "analogValue:1"),
          mode: "at_end",
          to_s: 3600,
          op: "eq",
          value: 18,
          tolerance: 0.01,
        },
        {
          label: "full demand in the afternoon: minimum setpoint within 15 min",
          point: ref(2001, "analogValue:1"),
          mode: "eventually",
          from_s: 6 * 3600,
          to_s: 6 * 3600 + 900,
          op: "eq",
          value: 12,
          tolerance: 0.01,
        },
      ],
    },
    {
      id: "ahu-valves",
      name: "Warm supply air opens the cooling valve and keeps the heating valve shut",
      flow_id: DEMO_FLOW_IDS.ahu,
      start: "2026-01-05T14:00:00.000Z",
      duration_s: 900,
      inputs: [
        at(0, ref(2001, "analogInput:4"), 28),
        ...dampers(0, 100),
        at(0, ref(2001, "analogInput:1"), 18),
        at(0, ref(2001, "analogInput:5"), 250),
      ],
      expect: [
        {
          label: "cooling valve wide open within 5 min",
          point: ref(2001, "analogOutput:3"),
          mode: "eventually",
          to_s: 300,
          op: "ge",
          value: 95,
        },
        {
          label: "heating valve shut",
          point: ref(2001, "analogOutput:2"),
          mode: "always",
          op: "eq",
          value: 0,
        },
      ],
    },
    {
      id: "chw-lead-pump",
      name: "The lead CHW pump runs, proves flow, and chiller 1 is enabled behind it",
      flow_id: DEMO_FLOW_IDS.chw,
      duration_s: 600,
      inputs: [...pumpInputs(2005, 40), at(0, ref(2005, "analogInput:5"), 120)],
      expect: [
        {
          label: "pump 1 leads",
          point: ref(2005, "binaryOutput:51"),
          mode: "eventually",
          to_s: 10,
          op: "eq",
          value: true,
        },
        {
          label: "chiller 1 enabled",
          point: ref(2005, "binaryOutput:11"),
          mode: "at_end",
          op: "eq",
          value: true,
        },
        {
          label: "chiller 2 stays off at 120 kW",
          point: ref(2005, "binaryOutput:21"),
          mode: "always",
          op: "ne",
          value: true,
        },
        {
          label: "one pump running",
          output: { node: "pumps", port: "out1" },
          mode: "at_end",
          op: "eq",
          value: 1,
        },
      ],
    },
    {
      id: "chw-failover",
      name: "A lead pump fault starts the standby pump within a minute",
      flow_id: DEMO_FLOW_IDS.chw,
      duration_s: 900,
      inputs: [
        ...pumpInputs(2005, 60),
        at(0, ref(2005, "analogInput:5"), 120),
        at(300, ref(2005, "binaryInput:52"), true),
        at(300, ref(2005, "binaryInput:51"), false),
        at(310, ref(2005, "binaryInput:61"), true),
      ],
      expect: [
        {
          label: "pump 2 started",
          point: ref(2005, "binaryOutput:61"),
          mode: "eventually",
          from_s: 300,
          to_s: 360,
          op: "eq",
          value: true,
        },
        {
          label: "pump 1 stopped",
          point: ref(2005, "binaryOutput:51"),
          mode: "at_end",
          op: "eq",
          value: false,
        },
        {
          label: "chiller 1 kept on",
          point: ref(2005, "binaryOutput:11"),
          mode: "at_end",
          op: "eq",
          value: true,
        },
      ],
    },
    {
      id: "hw-boiler",
      name: "The lead boiler runs behind the HW pumps",
      flow_id: DEMO_FLOW_IDS.hw,
      duration_s: 300,
      inputs: pumpInputs(2006, 30),
      expect: [
        {
          label: "boiler 1 enabled",
          point: ref(2006, "binaryOutput:11"),
          mode: "at_end",
          op: "eq",
          value: true,
        },
      ],
    },
    {
      id: "lighting-weekday",
      name: "A Monday: the lights are on from 07:00 to 19:00 and off otherwise",
      flow_id: DEMO_FLOW_IDS.lighting,
      start: "2026-01-05T00:00:00.000Z",
      duration_s: 86_400,
      inputs: [],
      expect: [
        {
          label: "off before 07:00",
          point: ref(2004, "binaryOutput:1"),
          mode: "always",
          to_s: 7 * 3600 - 60,
          op: "eq",
          value: false,
        },
        {
          label: "on 07:00–19:00",
          point: ref(2004, "binaryOutput:4"),
          mode: "always",
          from_s: 7 * 3600,
          to_s: 19 * 3600 - 60,
          op: "eq",
          value: true,
        },
        {
          label: "off after 19:00",
          point: ref(2004, "binaryOutput:2"),
          mode: "always",
          from_s: 19 * 3600,
          op: "eq",
          value: false,
        },
      ],
    },
    {
      id: "lighting-weekend",
      name: "A Saturday: the lights stay off all day",
      flow_id: DEMO_FLOW_IDS.lighting,
      start: "2026-01-10T00:00:00.000Z",
      duration_s: 86_400,
      inputs: [],
      expect: [
        { label: "zone 3 off", point: ref(2004, "binaryOutput:3"), mode: "always", op: "eq", value: false },
      ],
    },
  ];
}
