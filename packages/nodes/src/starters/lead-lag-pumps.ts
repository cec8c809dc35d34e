import type { SubflowDefinitionInput } from "@bms/schemas";
import { output, pair, paramValue, readPoint, wire, writePoint } from "./flow-parts";

/**
 * A duty/standby pump pair on VFDs, holding the loop differential pressure.
 *
 * - One pump runs; the sequencer rotates the lead by runtime (equal hours) or every `rotate_hours`.
 * - Failover: a pump is unavailable while its fault input is active, or once it failed to prove flow
 *   (commanded on, status not running for `proof_s`). The no-flow failure is latched (it would otherwise
 *   clear as soon as the pump is stopped and the pair would hunt); an operator resets the latch. The
 *   sequencer drops an unavailable pump at once, ignoring its minimum run time, and starts the other.
 * - Lag staging: when the speed loop sits above `stage_up_pct` the lag pump is added (after the
 *   sequencer's stage delay); it is dropped again below `stage_down_pct`.
 * - Speed: one PI loop on the loop DP drives both VFDs (a stopped VFD ignores its speed command), between
 *   `min_speed` and 100 %.
 */
export const LEAD_LAG_PUMPS: SubflowDefinitionInput = {
  id: "lead-lag-pumps",
  name: "Lead/lag pumps",
  version: 1,
  category: "Plant",
  description:
    "Two pumps on VFDs: lead rotation by runtime or weekly, failover on fault or no flow (latched, operator " +
    "reset), the lag pump staged on the speed loop, and a PI loop holding the loop differential pressure. " +
    "out1: pumps running, out2: lead pump (1 or 2), out3: speed command %.",
  input_count: 0,
  output_count: 3,
  labels: { out1: "Pumps running", out2: "Lead pump", out3: "Speed %" },
  points: [
    { key: "p1_cmd", label: "Pump 1 start/stop", direction: "write" },
    { key: "p1_status", label: "Pump 1 status (running)", direction: "read" },
    { key: "p1_fault", label: "Pump 1 fault", direction: "read" },
    { key: "p1_speed", label: "Pump 1 speed command", direction: "write", units: "%", optional: true },
    { key: "p2_cmd", label: "Pump 2 start/stop", direction: "write" },
    { key: "p2_status", label: "Pump 2 status (running)", direction: "read" },
    { key: "p2_fault", label: "Pump 2 fault", direction: "read" },
    { key: "p2_speed", label: "Pump 2 speed command", direction: "write", units: "%", optional: true },
    { key: "loop_dp", label: "Loop differential pressure", direction: "read", units: "kPa" },
  ],
  parameters: [
    { key: "dp_setpoint", label: "Loop DP setpoint", default: 60, units: "kPa", min: 0, max: 1000 },
    {
      key: "rotation",
      label: "Lead rotation",
      type: "string",
      default: "runtime",
      description:
        "runtime: equal run hours; interval: the lead changes every rotate_hours; fixed: pump 1 leads",
    },
    { key: "rotate_hours", label: "Rotation period", default: 168, units: "h", min: 1, max: 8760 },
    { key: "proof_s", label: "Flow proof time", default: 20, units: "s", min: 1, max: 600 },
    { key: "min_run_s", label: "Minimum run and rest time", default: 60, units: "s", min: 0, max: 3600 },
    { key: "stage_up_pct", label: "Add lag pump above speed", default: 95, units: "%", min: 0, max: 100 },
    { key: "stage_down_pct", label: "Drop lag pump below speed", default: 50, units: "%", min: 0, max: 100 },
    { key: "stage_delay_s", label: "Staging delay", default: 120, units: "s", min: 0, max: 3600 },
    { key: "min_speed", label: "Minimum speed", default: 30, units: "%", min: 0, max: 100 },
    { key: "dp_kp", label: "DP loop gain", default: 1, units: "%/kPa", min: 0, max: 1000 },
    { key: "dp_ti_s", label: "DP loop integral time", default: 30, units: "s", min: 0, max: 3600 },
    { key: "priority", label: "Write priority", default: 16, min: 1, max: 16 },
  ],
  flow: {
    nodes: [
      ...pair((n) => readPoint(`fault${n}`, `Pump ${n} fault`, `p${n}_fault`)),
      ...pair((n) => readPoint(`status${n}`, `Pump ${n} status`, `p${n}_status`)),
      // Last scan's commands: "commanded on" for the flow proof, without a cycle through the sequencer.
      ...pair((n) => ({
        id: `was_cmd${n}`,
        type: "feedback",
        label: `Pump ${n} commanded`,
        config: { initial: false },
      })),
      ...pair((n) => ({
        id: `no_flow${n}`,
        type: "math",
        label: `Pump ${n} not proving`,
        config: { input_count: 2, expression: "a && !b" },
      })),
      ...pair((n) => ({
        id: `proof${n}`,
        type: "delay",
        label: `Pump ${n} proof timer`,
        config: { mode: "on_delay", seconds: "{{param:proof_s}}" },
      })),
      ...pair((n) => ({
        id: `failed${n}`,
        type: "latch",
        label: `Pump ${n} failed to run`,
        config: { dominant: "reset" },
      })),
      // A pump whose fault point cannot be read is not assumed healthy or failed: the sequencer keeps its
      // last known availability while this is bad.
      ...pair((n) => ({
        id: `avail${n}`,
        type: "math",
        label: `Pump ${n} available`,
        config: { input_count: 2, expression: "!a && !b" },
      })),
      readPoint("dp", "Loop DP", "loop_dp"),
      paramValue("dp_sp", "Loop DP setpoint", "dp_setpoint"),
      {
        id: "speed",
        type: "pid",
        label: "DP loop",
        config: {
          kp: "{{param:dp_kp}}",
          ti_s: "{{param:dp_ti_s}}",
          action: "reverse",
          out_min: "{{param:min_speed}}",
          out_max: 100,
          bias: "{{param:min_speed}}",
        },
      },
      {
        id: "high_speed",
        type: "threshold",
        label: "Speed high",
        config: { operator: ">", value: "{{param:stage_up_pct}}" },
      },
      {
        id: "low_speed",
        type: "threshold",
        label: "Speed low",
        config: { operator: "<", value: "{{param:stage_down_pct}}" },
      },
      { id: "need_lag", type: "latch", label: "Lag pump needed", config: { dominant: "reset" } },
      {
        id: "demand",
        type: "math",
        label: "Pumps wanted",
        config: { input_count: 1, expression: "a ? 2 : 1" },
      },
      {
        id: "sequence",
        type: "sequencer",
        label: "Lead/lag",
        config: {
          units: 2,
          demand_mode: "stages",
          rotation: "{{param:rotation}}",
          rotate_hours: "{{param:rotate_hours}}",
          stage_up_delay_s: "{{param:stage_delay_s}}",
          stage_down_delay_s: "{{param:stage_delay_s}}",
          min_on_s: "{{param:min_run_s}}",
          min_off_s: "{{param:min_run_s}}",
        },
      },
      ...pair((n) => writePoint(`cmd${n}`, `Pump ${n}`, `p${n}_cmd`)),
      ...pair((n) => writePoint(`speed${n}`, `Pump ${n} speed`, `p${n}_speed`)),
      ...pair((n) => ({
        id: `alarm${n}`,
        type: "alert",
        label: `Pump ${n} failure`,
        config: { message: `Pump ${n} failed (fault or no flow)`, priority: "high" },
      })),
      ...pair((n) => ({ id: `fail${n}`, type: "not", label: `Pump ${n} unavailable`, config: {} })),
      output("running_out", "Pumps running", "out1"),
      output("lead_out", "Lead pump", "out2"),
      output("speed_out", "Speed", "out3"),
    ],
    connections: [
      ...pair((n) => wire(`sequence.out${n}`, `was_cmd${n}.value`)),
      ...pair((n) => [
        wire(`was_cmd${n}.value`, `no_flow${n}.a`),
        wire(`status${n}.value`, `no_flow${n}.b`),
      ]).flat(),
      ...pair((n) => wire(`no_flow${n}.result`, `proof${n}.input`)),
      ...pair((n) => wire(`proof${n}.output`, `failed${n}.set`)),
      ...pair((n) => [wire(`fault${n}.value`, `avail${n}.a`), wire(`failed${n}.q`, `avail${n}.b`)]).flat(),
      wire("dp.value", "speed.pv"),
      wire("dp_sp.value", "speed.setpoint"),
      wire("speed.output", "high_speed.value"),
      wire("speed.output", "low_speed.value"),
      wire("high_speed.result", "need_lag.set"),
      wire("low_speed.result", "need_lag.reset"),
      wire("need_lag.q", "demand.a"),
      wire("demand.result", "sequence.demand"),
      ...pair((n) => wire(`avail${n}.result`, "sequence.available")),
      ...pair((n) => wire(`sequence.out${n}`, `cmd${n}.value`)),
      ...pair((n) => wire("speed.output", `speed${n}.value`)),
      ...pair((n) => wire(`avail${n}.result`, `fail${n}.value`)),
      ...pair((n) => wire(`fail${n}.result`, `alarm${n}.condition`)),
      wire("sequence.running", "running_out.value"),
      wire("sequence.lead", "lead_out.value"),
      wire("speed.output", "speed_out.value"),
    ],
  },
};
