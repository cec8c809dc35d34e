import { z } from "zod";
import { portGroup } from "../core/port-groups";
import { defineNode, type NodeOutputs, type NodeValue } from "../core/types";
import { asBoolean, asNumber } from "../core/values";

const MAX_UNITS = 8;
const OUTPUTS = Array.from({ length: MAX_UNITS }, (_, i) => `out${i + 1}`);
// The unit count is also how many Unit outputs the node draws.
const UNITS = portGroup({
  count: "units",
  names: OUTPUTS,
  min: 1,
  default: 2,
  port: (_name, i) => ({ type: "boolean", label: `Unit ${i + 1}` }),
  description: "Number of pumps, fans or stages",
});

interface SequencerState {
  /** Unit indexes, lead first (order rotation modes). */
  order: number[];
  on: boolean[];
  /** When each unit last started or stopped (ms); null: never, so no minimum time applies. */
  changedAt: (number | null)[];
  runtime_s: number[];
  /** Last known availability: a bad status keeps the last known one rather than tripping a unit. */
  available: boolean[];
  /** Stages currently called for, after the interstage delays. */
  target: number;
  stagedAt: number | null;
  rotatedAt: number | null;
}

const config = z.object({
  units: UNITS.field,
  demand_mode: z
    .enum(["stages", "percent"])
    .default("stages")
    .describe("stages: demand is the number of units; percent: 0..100 % of the total capacity"),
  rotation: z
    .enum(["fixed", "interval", "runtime"])
    .default("runtime")
    .describe("fixed: 1,2,3…; interval: lead moves on every rotate_hours; runtime: equalise run hours"),
  rotate_hours: z.number().positive().max(8760).default(168).describe("Lead rotation period (interval mode)"),
  stage_up_delay_s: z.number().min(0).max(86_400).default(60).describe("Minimum time between stage-ups"),
  stage_down_delay_s: z.number().min(0).max(86_400).default(60).describe("Minimum time between stage-downs"),
  min_on_s: z.number().min(0).max(86_400).default(300).describe("A unit runs at least this long"),
  min_off_s: z.number().min(0).max(86_400).default(300).describe("A unit rests at least this long"),
});
type Config = z.infer<typeof config>;

function requested(demand: number, c: Config): number {
  const n = c.demand_mode === "percent" ? Math.ceil((demand * c.units) / 100 - 1e-9) : Math.round(demand);
  return Math.min(Math.max(n, 0), c.units);
}

/** The units to run for a target count, in preference order (a start is only made where allowed). */
function preference(state: SequencerState, c: Config, starting: boolean): number[] {
  const units = state.order.filter((u) => u < c.units);
  if (c.rotation !== "runtime") return starting ? units : [...units].reverse();
  // Start the unit with the fewest hours, stop the one with the most.
  return [...units].sort(
    (a, b) => (starting ? 1 : -1) * (state.runtime_s[a]! - state.runtime_s[b]!) || a - b,
  );
}

export const sequencer = defineNode({
  type: "sequencer",
  version: 1,
  category: "control",
  label: "Lead/Lag Sequencer",
  icon: "list-ordered",
  description:
    "Stages up to 8 pumps, fans, boilers or compressor stages from a demand (a number of units, or a percent " +
    "of total capacity). Stages are added one at a time (at most one per scan) at most every stage_up_delay_s and removed at most " +
    "every stage_down_delay_s. Each unit runs at least min_on_s and rests at least min_off_s; a unit that " +
    "cannot start yet is replaced by the next eligible one. Rotation: 'runtime' starts the unit with the " +
    "fewest hours and stops the one with the most; 'interval' moves the lead to the next unit every " +
    "rotate_hours (the new lead is started in the scan the old one stops, so fewer units than the demand " +
    "never run); 'fixed' always " +
    "uses 1, 2, 3… `available` (connect one status per unit, in unit order; fewer wires: the rest are " +
    "available) removes a unit at once, ignoring its minimum on-time, and the next one takes over. A bad " +
    "status keeps the last known availability; a bad, null or NaN demand holds the current staging " +
    "(outputs uncertain). Runtime and rotation state survive restarts and config changes.",
  inputs: [
    { name: "demand", type: "number", label: "Demand", required: true },
    { name: "available", type: "boolean", label: "Available", multiple: true },
  ],
  outputs: [
    ...UNITS.ports,
    { name: "running", type: "number", label: "Running" },
    { name: "lead", type: "number", label: "Lead unit" },
  ],
  keepStateOnConfigChange: true,
  config,
  // The step (units on, stages called for, lead order, when each last changed) is written at the end of
  // the scan that changes it: a lost step restarts the wrong unit or breaks a minimum off-time. The run
  // hours move every scan while a unit runs and are written at the save interval: losing seconds of them
  // only shifts the runtime rotation by as much. Time in a step needs no saving: it is `now - changedAt`.
  statePersistence: "on_change",
  onChangeState: ({ runtime_s: _hours, ...step }) => step,
  initialState: (): SequencerState => ({
    order: Array.from({ length: MAX_UNITS }, (_, i) => i),
    on: new Array(MAX_UNITS).fill(false),
    changedAt: new Array(MAX_UNITS).fill(null),
    runtime_s: new Array(MAX_UNITS).fill(0),
    available: new Array(MAX_UNITS).fill(true),
    target: 0,
    stagedAt: null,
    rotatedAt: null,
  }),
  execute(inputs, c, state, ctx, multi) {
    const now = ctx.now;
    for (let u = 0; u < MAX_UNITS; u++) if (state.on[u]) state.runtime_s[u]! += ctx.dt;
    (multi.available ?? []).forEach((item, u) => {
      const b = item.quality === "bad" ? undefined : asBoolean(item);
      if (b !== undefined && u < MAX_UNITS) state.available[u] = b;
    });

    const setUnit = (u: number, on: boolean) => {
      state.on[u] = on;
      state.changedAt[u] = now;
    };
    const held = (u: number, limitS: number) =>
      state.changedAt[u] !== null && now - state.changedAt[u]! < limitS * 1000;
    // A unit taken out of service, or beyond the configured count, stops at once.
    for (let u = 0; u < MAX_UNITS; u++)
      if (state.on[u] && (!state.available[u] || u >= c.units)) setUnit(u, false);

    const demand = inputs.demand?.quality === "bad" ? undefined : asNumber(inputs.demand);
    if (demand !== undefined) {
      const want = requested(demand, c);
      const since = state.stagedAt === null ? Number.POSITIVE_INFINITY : now - state.stagedAt;
      if (want > state.target && since >= c.stage_up_delay_s * 1000) {
        state.target++;
        state.stagedAt = now;
      } else if (want < state.target && since >= c.stage_down_delay_s * 1000) {
        state.target--;
        state.stagedAt = now;
      }
    }
    if (c.rotation === "interval") {
      state.rotatedAt ??= now;
      if (now - state.rotatedAt >= c.rotate_hours * 3_600_000) {
        state.order.push(state.order.shift()!);
        state.rotatedAt = now;
      }
    }

    const usable = (u: number) => u < c.units && state.available[u]!;
    if (c.rotation === "runtime") {
      const running = () => state.on.filter(Boolean).length;
      for (const u of preference(state, c, true)) {
        if (running() >= state.target) break;
        if (!state.on[u] && usable(u) && !held(u, c.min_off_s)) setUnit(u, true);
      }
      for (const u of preference(state, c, false)) {
        if (running() <= state.target) break;
        if (state.on[u] && !held(u, c.min_on_s)) setUnit(u, false);
      }
    } else {
      // The wanted set is the first `target` available units in lead order. Start first, then stop the
      // surplus, so that a rotation or a failover never drops below the demand.
      const wanted = new Set<number>();
      for (const u of state.order) {
        if (wanted.size >= state.target) break;
        // A unit still resting (min off-time) is passed over for the next one in order.
        if (usable(u) && (state.on[u] || !held(u, c.min_off_s))) wanted.add(u);
      }
      // A running unit that is not wanted but still inside its minimum on-time keeps its slot: starting the
      // preferred unit as well would run more units than the demand.
      const stuck = state.on.filter((on, u) => on && !wanted.has(u) && held(u, c.min_on_s)).length;
      let starts = state.target - stuck - [...wanted].filter((u) => state.on[u]).length;
      for (const u of wanted) {
        if (starts <= 0) break;
        if (!state.on[u]) {
          setUnit(u, true);
          starts--;
        }
      }
      let surplus = state.on.filter(Boolean).length - state.target;
      for (const u of preference(state, c, false)) {
        if (surplus <= 0) break;
        if (state.on[u] && !wanted.has(u) && !held(u, c.min_on_s)) {
          setUnit(u, false);
          surplus--;
        }
      }
    }

    const reason =
      demand === undefined ? `holding: ${inputs.demand?.reason ?? "demand is not a number"}` : undefined;
    const at = (value: number | boolean): NodeValue =>
      reason
        ? { value, quality: "uncertain", timestamp: now, reason }
        : { value, quality: "good", timestamp: now };
    const out: NodeOutputs = {};
    OUTPUTS.forEach((name, u) => {
      out[name] = at(state.on[u]! && u < c.units);
    });
    out.running = at(state.on.filter(Boolean).length);
    out.lead = at((preference(state, c, true).find(usable) ?? 0) + 1);
    return out;
  },
  examples: [
    {
      title: "Duty/standby pumps",
      config: { units: 2, rotation: "interval", rotate_hours: 168, min_on_s: 60, min_off_s: 60 },
      explanation: "Demand 1 runs the lead pump; the lead changes weekly; a tripped pump hands over at once.",
    },
  ],
});
