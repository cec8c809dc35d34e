import type { SubflowDefinitionInput } from "@bms/schemas";
import { output, paramValue, readPoint, wire, writePoint } from "./flow-parts";

/**
 * A pressure-dependent VAV box, cooling-only with hot-water reheat. Two PI loops on the zone temperature,
 * with setpoints chosen by occupancy (occupied: tighter band; unoccupied: set back). Between the heating
 * and cooling setpoints both loops sit at 0, so the box rests at minimum airflow with the valve shut:
 * the deadband that keeps the box from heating and cooling in turn.
 *
 * Sequencing: cooling opens the damper from the minimum-airflow position to fully open; heating holds the
 * damper at the heating airflow position and opens the reheat valve, which only ever opens when the
 * cooling loop is at 0 (no reheating of cooled air).
 */
export const VAV_REHEAT: SubflowDefinitionInput = {
  id: "vav-cooling-reheat",
  name: "VAV cooling with reheat",
  version: 1,
  category: "HVAC",
  description:
    "Zone temperature control for a cooling-only VAV box with a hot-water reheat coil: occupied and unoccupied " +
    "heating/cooling setpoints with a deadband, damper from minimum airflow to full on cooling demand, heating " +
    "airflow and reheat valve on heating demand. Outputs the cooling and heating demand (0-100 %), which an AHU " +
    "supply-air reset uses.",
  input_count: 0,
  output_count: 2,
  labels: { out1: "Cooling demand %", out2: "Heating demand %" },
  points: [
    { key: "zone_temp", label: "Zone temperature", direction: "read", units: "°C" },
    {
      key: "occupancy",
      label: "Occupancy",
      direction: "read",
      description: "True/active while the zone is occupied; unknown counts as occupied (comfort first)",
    },
    { key: "damper", label: "Damper command", direction: "write", units: "%" },
    { key: "reheat", label: "Reheat valve command", direction: "write", units: "%" },
  ],
  parameters: [
    { key: "occ_cool_sp", label: "Occupied cooling setpoint", default: 24, units: "°C", min: 18, max: 30 },
    { key: "occ_heat_sp", label: "Occupied heating setpoint", default: 21, units: "°C", min: 15, max: 25 },
    {
      key: "unocc_cool_sp",
      label: "Unoccupied cooling setpoint",
      default: 28,
      units: "°C",
      min: 20,
      max: 35,
    },
    {
      key: "unocc_heat_sp",
      label: "Unoccupied heating setpoint",
      default: 16,
      units: "°C",
      min: 10,
      max: 22,
    },
    {
      key: "min_damper",
      label: "Minimum airflow (damper)",
      default: 20,
      units: "%",
      min: 0,
      max: 100,
      description: "Damper position giving the box's minimum ventilation airflow",
    },
    { key: "heat_damper", label: "Heating airflow (damper)", default: 40, units: "%", min: 0, max: 100 },
    { key: "cool_kp", label: "Cooling gain", default: 40, units: "%/K", min: 0, max: 1000 },
    { key: "cool_ti_s", label: "Cooling integral time", default: 600, units: "s", min: 0, max: 86400 },
    { key: "heat_kp", label: "Heating gain", default: 40, units: "%/K", min: 0, max: 1000 },
    { key: "heat_ti_s", label: "Heating integral time", default: 600, units: "s", min: 0, max: 86400 },
    { key: "priority", label: "Write priority", default: 16, min: 1, max: 16 },
  ],
  flow: {
    nodes: [
      readPoint("zone", "Zone temperature", "zone_temp"),
      readPoint("occ", "Occupancy", "occupancy", true),
      paramValue("occ_cool", "Occupied cooling SP", "occ_cool_sp"),
      paramValue("unocc_cool", "Unoccupied cooling SP", "unocc_cool_sp"),
      paramValue("occ_heat", "Occupied heating SP", "occ_heat_sp"),
      paramValue("unocc_heat", "Unoccupied heating SP", "unocc_heat_sp"),
      { id: "cool_sp", type: "select", label: "Cooling setpoint", config: {} },
      { id: "heat_sp", type: "select", label: "Heating setpoint", config: {} },
      {
        id: "cool",
        type: "pid",
        label: "Cooling loop",
        config: {
          kp: "{{param:cool_kp}}",
          ti_s: "{{param:cool_ti_s}}",
          action: "direct",
          out_min: 0,
          out_max: 100,
        },
      },
      {
        id: "heat",
        type: "pid",
        label: "Heating loop",
        config: {
          kp: "{{param:heat_kp}}",
          ti_s: "{{param:heat_ti_s}}",
          action: "reverse",
          out_min: 0,
          out_max: 100,
        },
      },
      paramValue("min_damper", "Minimum airflow", "min_damper"),
      paramValue("heat_damper", "Heating airflow", "heat_damper"),
      {
        id: "damper_pos",
        type: "math",
        label: "Damper sequence",
        // a: cooling %, b: heating %, c: minimum, d: heating airflow position.
        config: { input_count: 4, expression: "max(c + (100 - c) * a / 100, b > 0 ? d : c)" },
      },
      {
        id: "reheat_pos",
        type: "math",
        label: "Reheat sequence",
        // a: cooling %, b: heating %: the valve never opens while the box is cooling.
        config: { input_count: 2, expression: "a > 0 ? 0 : b" },
      },
      writePoint("damper_cmd", "Damper", "damper"),
      writePoint("reheat_cmd", "Reheat valve", "reheat"),
      output("cooling_out", "Cooling demand", "out1"),
      output("heating_out", "Heating demand", "out2"),
    ],
    connections: [
      wire("occ.value", "cool_sp.selector"),
      wire("unocc_cool.value", "cool_sp.in0"),
      wire("occ_cool.value", "cool_sp.in1"),
      wire("occ.value", "heat_sp.selector"),
      wire("unocc_heat.value", "heat_sp.in0"),
      wire("occ_heat.value", "heat_sp.in1"),
      wire("zone.value", "cool.pv"),
      wire("cool_sp.value", "cool.setpoint"),
      wire("zone.value", "heat.pv"),
      wire("heat_sp.value", "heat.setpoint"),
      wire("cool.output", "damper_pos.a"),
      wire("heat.output", "damper_pos.b"),
      wire("min_damper.value", "damper_pos.c"),
      wire("heat_damper.value", "damper_pos.d"),
      wire("cool.output", "reheat_pos.a"),
      wire("heat.output", "reheat_pos.b"),
      wire("damper_pos.result", "damper_cmd.value"),
      wire("reheat_pos.result", "reheat_cmd.value"),
      wire("cool.output", "cooling_out.value"),
      wire("heat.output", "heating_out.value"),
    ],
  },
};
