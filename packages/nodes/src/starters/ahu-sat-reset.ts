import type { SubflowDefinitionInput } from "@bms/schemas";
import { output, paramValue, readPoint, wire, writePoint } from "./flow-parts";

/**
 * Supply-air temperature reset for an AHU: a linear reset on zone cooling demand, capped by a linear reset
 * on outdoor air temperature, then rate-limited and clamped.
 *
 * - Low demand (the zones are satisfied) raises the setpoint toward the maximum, saving chiller energy and
 *   reheat; high demand (the worst zone's damper wide open) lowers it toward the minimum.
 * - Warm outdoor air lowers the cap, so the coil keeps dehumidifying in humid weather.
 * - The colder of the two wins; the result moves at most `ramp_per_min` per minute (no step on a
 *   setpoint change or a flapping zone) and never leaves the limits.
 * - A failed OAT sensor leaves only the demand reset (the OAT reset falls back to the maximum).
 */
export const AHU_SAT_RESET: SubflowDefinitionInput = {
  id: "ahu-sat-reset",
  name: "AHU supply-air temperature reset",
  version: 1,
  category: "HVAC",
  description:
    "Resets an AHU's supply-air temperature setpoint between limits on zone cooling demand (in1, 0-100 %, e.g. " +
    "the highest VAV cooling demand or damper position) and on outdoor air temperature, rate-limited. out1 is " +
    "the setpoint for the cooling-coil loop; it is also written to the setpoint point when one is bound.",
  input_count: 1,
  output_count: 1,
  labels: { in1: "Zone cooling demand %", out1: "Supply-air setpoint °C" },
  points: [
    { key: "oat", label: "Outdoor air temperature", direction: "read", units: "°C" },
    {
      key: "sat_setpoint",
      label: "Supply-air setpoint point",
      direction: "write",
      units: "°C",
      optional: true,
      description: "Where the reset setpoint is published for operators and trends",
    },
  ],
  parameters: [
    { key: "min_sat", label: "Minimum supply-air setpoint", default: 12, units: "°C", min: 8, max: 20 },
    { key: "max_sat", label: "Maximum supply-air setpoint", default: 18, units: "°C", min: 10, max: 24 },
    { key: "demand_low", label: "Demand at maximum setpoint", default: 10, units: "%", min: 0, max: 100 },
    { key: "demand_high", label: "Demand at minimum setpoint", default: 90, units: "%", min: 0, max: 100 },
    { key: "oat_low", label: "OAT at maximum setpoint", default: 16, units: "°C", min: -20, max: 40 },
    { key: "oat_high", label: "OAT at minimum setpoint", default: 24, units: "°C", min: -20, max: 45 },
    { key: "ramp_per_min", label: "Setpoint rate limit", default: 0.5, units: "°C/min", min: 0, max: 10 },
    { key: "priority", label: "Write priority", default: 16, min: 1, max: 16 },
  ],
  flow: {
    nodes: [
      { id: "demand", type: "subflow_input", label: "Zone cooling demand", config: { name: "in1" } },
      readPoint("oat", "Outdoor air temperature", "oat"),
      paramValue("min_sat", "Minimum setpoint", "min_sat"),
      paramValue("max_sat", "Maximum setpoint", "max_sat"),
      paramValue("demand_low", "Demand low", "demand_low"),
      paramValue("demand_high", "Demand high", "demand_high"),
      paramValue("oat_low", "OAT low", "oat_low"),
      paramValue("oat_high", "OAT high", "oat_high"),
      linearReset("by_demand", "Reset on demand"),
      linearReset("by_oat", "Reset on OAT"),
      { id: "colder", type: "min", label: "Colder of the two", config: { input_count: 2 } },
      {
        id: "ramp",
        type: "ramp",
        label: "Rate limit",
        config: {
          rate_up: "{{param:ramp_per_min}}",
          rate_down: "{{param:ramp_per_min}}",
          rate_unit: "per_minute",
        },
      },
      {
        id: "limits",
        type: "limit",
        label: "Setpoint limits",
        config: { min: "{{param:min_sat}}", max: "{{param:max_sat}}" },
      },
      writePoint("publish", "Supply-air setpoint", "sat_setpoint"),
      output("setpoint_out", "Supply-air setpoint", "out1"),
    ],
    connections: [
      wire("demand.value", "by_demand.a"),
      wire("min_sat.value", "by_demand.b"),
      wire("max_sat.value", "by_demand.c"),
      wire("demand_low.value", "by_demand.d"),
      wire("demand_high.value", "by_demand.e"),
      wire("oat.value", "by_oat.a"),
      wire("min_sat.value", "by_oat.b"),
      wire("max_sat.value", "by_oat.c"),
      wire("oat_low.value", "by_oat.d"),
      wire("oat_high.value", "by_oat.e"),
      wire("by_demand.result", "colder.in1"),
      wire("by_oat.result", "colder.in2"),
      wire("colder.value", "ramp.value"),
      wire("ramp.value", "limits.value"),
      wire("limits.value", "publish.value"),
      wire("limits.value", "setpoint_out.value"),
    ],
  },
};

/**
 * The setpoint from the maximum (input a at or below d) down to the minimum (a at or above e), linear in
 * between; a: the input, b: minimum, c: maximum. A lost input means nobody is asking (demand) or the
 * sensor failed (OAT): the maximum setpoint, the energy-saving side, still limited downstream.
 */
function linearReset(id: string, label: string) {
  return {
    id,
    type: "math",
    label,
    config: {
      input_count: 5,
      expression: "c - (c - b) * clamp((a - d) / max(e - d, 0.001), 0, 1)",
      on_bad_input: "fallback",
      fallback: "{{param:max_sat}}",
    },
  };
}
