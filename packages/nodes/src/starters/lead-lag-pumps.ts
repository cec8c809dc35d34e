import type { SubflowDefinitionInput } from "@bms/schemas";
import { wire } from "./wire";

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
      { id: "fault1", type: "sensor_read", label: "Pump 1 fault", config: { point: "{{point:p1_fault}}" } },
      { id: "fault2", type: "sensor_read", label: "Pump 2 fault", config: { point: "{{point:p2_fault}}" } },
      {
        id: "status1",
        type: "sensor_read",
        label: "Pump 1 status",
        config: { point: "{{point:p1_status}}" },
      },
      {
        id: "status2",
        type: "sensor_read",
        label: "Pump 2 status",
        config: { point: "{{point:p2_status}}" },
      },
      // Last scan's commands: "commanded on" for the flow proof, without a cycle through the sequencer.
      { id: "was_cmd1", type: "feedback", label: "Pump 1 commanded", config: { initial: false } },
      { id: "was_cmd2", type: "feedback", label: "Pump 2 commanded", config: { initial: false } },
      {
        id: "no_flow1",
        type: "math",
        label: "Pump 1 not proving",
        config: { input_count: 2, expression: "a && !b" },
      },
      {
        id: "no_flow2",
        type: "math",
        label: "Pump 2 not proving",
        config: { input_count: 2, expression: "a && !b" },
      },
      {
        id: "proof1",
        type: "delay",
        label: "Pump 1 proof timer",
        config: { mode: "on_delay", seconds: "{{param:proof_s}}" },
      },
      {
        id: "proof2",
        type: "delay",
        label: "Pump 2 proof timer",
        config: { mode: "on_delay", seconds: "{{param:proof_s}}" },
      },
      { id: "failed1", type: "latch", label: "Pump 1 failed to run", config: { dominant: "reset" } },
      { id: "failed2", type: "latch", label: "Pump 2 failed to run", config: { dominant: "reset" } },
      {
        id: "avail1",
        type: "math",
        label: "Pump 1 available",
        // A pump whose fault point cannot be read is not assumed healthy or failed: the sequencer keeps
        // its last known availability while this is bad.
        config: { input_count: 2, expression: "!a && !b" },
      },
      {
        id: "avail2",
        type: "math",
        label: "Pump 2 available",
        config: { input_count: 2, expression: "!a && !b" },
      },
      { id: "dp", type: "sensor_read", label: "Loop DP", config: { point: "{{point:loop_dp}}" } },
      {
        id: "dp_sp",
        type: "constant",
        label: "Loop DP setpoint",
        config: { value: "{{param:dp_setpoint}}" },
      },
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
      {
        id: "cmd1",
        type: "actuator_write",
        label: "Pump 1",
        config: { point: "{{point:p1_cmd}}", priority: "{{param:priority}}" },
      },
      {
        id: "cmd2",
        type: "actuator_write",
        label: "Pump 2",
        config: { point: "{{point:p2_cmd}}", priority: "{{param:priority}}" },
      },
      {
        id: "speed1",
        type: "actuator_write",
        label: "Pump 1 speed",
        config: { point: "{{point:p1_speed}}", priority: "{{param:priority}}" },
      },
      {
        id: "speed2",
        type: "actuator_write",
        label: "Pump 2 speed",
        config: { point: "{{point:p2_speed}}", priority: "{{param:priority}}" },
      },
      {
        id: "alarm1",
        type: "alert",
        label: "Pump 1 failure",
        config: { message: "Pump 1 failed (fault or no flow)", priority: "high" },
      },
      {
        id: "alarm2",
        type: "alert",
        label: "Pump 2 failure",
        config: { message: "Pump 2 failed (fault or no flow)", priority: "high" },
      },
      { id: "fail1", type: "not", label: "Pump 1 unavailable", config: {} },
      { id: "fail2", type: "not", label: "Pump 2 unavailable", config: {} },
      { id: "running_out", type: "subflow_output", label: "Pumps running", config: { name: "out1" } },
      { id: "lead_out", type: "subflow_output", label: "Lead pump", config: { name: "out2" } },
      { id: "speed_out", type: "subflow_output", label: "Speed", config: { name: "out3" } },
    ],
    connections: [
      wire("sequence.out1", "was_cmd1.value"),
      wire("sequence.out2", "was_cmd2.value"),
      wire("was_cmd1.value", "no_flow1.a"),
      wire("status1.value", "no_flow1.b"),
      wire("was_cmd2.value", "no_flow2.a"),
      wire("status2.value", "no_flow2.b"),
      wire("no_flow1.result", "proof1.input"),
      wire("no_flow2.result", "proof2.input"),
      wire("proof1.output", "failed1.set"),
      wire("proof2.output", "failed2.set"),
      wire("fault1.value", "avail1.a"),
      wire("failed1.q", "avail1.b"),
      wire("fault2.value", "avail2.a"),
      wire("failed2.q", "avail2.b"),
      wire("dp.value", "speed.pv"),
      wire("dp_sp.value", "speed.setpoint"),
      wire("speed.output", "high_speed.value"),
      wire("speed.output", "low_speed.value"),
      wire("high_speed.result", "need_lag.set"),
      wire("low_speed.result", "need_lag.reset"),
      wire("need_lag.q", "demand.a"),
      wire("demand.result", "sequence.demand"),
      wire("avail1.result", "sequence.available"),
      wire("avail2.result", "sequence.available"),
      wire("sequence.out1", "cmd1.value"),
      wire("sequence.out2", "cmd2.value"),
      wire("speed.output", "speed1.value"),
      wire("speed.output", "speed2.value"),
      wire("avail1.result", "fail1.value"),
      wire("avail2.result", "fail2.value"),
      wire("fail1.result", "alarm1.condition"),
      wire("fail2.result", "alarm2.condition"),
      wire("sequence.running", "running_out.value"),
      wire("sequence.lead", "lead_out.value"),
      wire("speed.output", "speed_out.value"),
    ],
  },
};
