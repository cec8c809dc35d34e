import { z } from "zod";
import { portIndex } from "../core/positional";
import { defineNode, type NodeValue, type PortDefinition, type PortValues } from "../core/types";
import { asBoolean, asNumber } from "../core/values";

interface PidState {
  /** Integral term in output units, bias included; null until the first computation. */
  i: number | null;
  /** Filtered measurement the derivative is taken on. */
  pvf: number | null;
  output: number | null;
  /** Scan clock of the last computation (the sample time is measured from it). */
  computedAt: number | null;
  /** Scan number of the last execution: a gap means the node was disabled, skipped or restarted. */
  scan: number | null;
  tuning: string;
  /** Set after a bad measurement so that the recovery is bumpless too. */
  resync: boolean;
}

const config = z
  .object({
    setpoint: z.number().default(21).describe("Used when the setpoint input is not connected"),
    kp: z.number().min(0).max(1e6).default(10).describe("Proportional gain, output units per unit of error"),
    ti_s: z.number().min(0).max(86_400).default(120).describe("Integral (reset) time, s; 0: no integral"),
    td_s: z.number().min(0).max(3600).default(0).describe("Derivative time, s; 0: no derivative"),
    action: z
      .enum(["reverse", "direct"])
      .default("reverse")
      .describe("reverse: output rises when the measurement is below setpoint (heating); direct: cooling"),
    out_min: z.number().default(0).describe("Output low limit, e.g. 0 %"),
    out_max: z.number().default(100).describe("Output high limit, e.g. 100 %"),
    bias: z.number().default(0).describe("Output at start-up, and the offset of a P-only loop"),
    deadband: z.number().min(0).default(0).describe("Errors this small count as zero, in PV units"),
    sample_time_s: z
      .number()
      .min(0)
      .max(3600)
      .default(1)
      .describe("Seconds between computations; 0: every scan"),
    derivative_filter: z
      .number()
      .min(1)
      .max(100)
      .default(10)
      .describe("N: the derivative is filtered with Td/N"),
  })
  .refine((c) => c.out_min < c.out_max, { message: "out_min must be below out_max", path: ["out_max"] });
type Config = z.infer<typeof config>;

const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** What a change of which forces a bumpless re-initialisation (a setpoint change is a normal step). */
const tuningKeys = new WeakMap<Config, string>();
function tuningKey(c: Config): string {
  let key = tuningKeys.get(c);
  if (key === undefined) {
    key = [c.kp, c.ti_s, c.td_s, c.action, c.out_min, c.out_max, c.deadband].join("|");
    tuningKeys.set(c, key);
  }
  return key;
}

const INPUTS = [
  { name: "pv", type: "number", label: "Measurement", required: true },
  { name: "setpoint", type: "number", label: "Setpoint" },
  { name: "enable", type: "boolean", label: "Enable" },
  { name: "track", type: "boolean", label: "Track" },
  { name: "track_value", type: "number", label: "Track value" },
] as const satisfies readonly PortDefinition[];
const OUTPUTS = [
  { name: "output", type: "number", label: "Output" },
  { name: "error", type: "number", label: "Error" },
  { name: "saturated", type: "boolean", label: "Saturated" },
] as const satisfies readonly PortDefinition[];
const IN = portIndex(INPUTS);
const OUT = portIndex(OUTPUTS);

/** The three outputs; built without spreads or closures because a PID runs every scan in every AHU. */
function outputs(
  out: PortValues,
  c: Config,
  now: number,
  output: number | null,
  error: number | null,
  quality: NodeValue["quality"],
  reason: string | undefined,
): undefined {
  const saturated = output === null ? null : output <= c.out_min || output >= c.out_max;
  if (reason === undefined) {
    out[OUT.output] = { value: output, quality, timestamp: now };
    out[OUT.error] = { value: error, quality, timestamp: now };
    out[OUT.saturated] = { value: saturated, quality, timestamp: now };
    return;
  }
  out[OUT.output] = { value: output, quality, timestamp: now, reason };
  out[OUT.error] = { value: error, quality, timestamp: now, reason };
  out[OUT.saturated] = { value: saturated, quality, timestamp: now, reason };
}

export const pid = defineNode({
  type: "pid",
  version: 1,
  category: "control",
  label: "PID Loop",
  icon: "gauge-circle",
  description:
    "A PID loop in ISA (standard) form with gains in engineering units: output = Kp·(e + 1/Ti·∫e dt + " +
    "Td·d(-PV)/dt) + bias, e = setpoint − PV (reverse acting, heating) or PV − setpoint (direct acting, " +
    "cooling). The derivative acts on the filtered measurement, so a setpoint change gives no derivative " +
    "kick. It computes every sample_time_s using the real elapsed time, whatever the scan period " +
    "(between samples the output holds). Anti-windup by conditional integration: the integral stops " +
    "growing while the output is saturated in the direction the error pushes, so the loop comes off a " +
    "limit as soon as the error reverses. Bumpless transfer: after the node " +
    "was disabled (engine `enable` input false: the output is held), skipped, restarted, or its tuning " +
    "changed (kp, ti, td, action, limits, deadband), the integral is re-initialised so the output continues " +
    "from where it was. `track` true forces the output to `track_value` (hand/auto, or a " +
    "low-select override) with the integral following it, so returning to auto is bumpless. A bad, null or " +
    "NaN measurement or setpoint holds the last output with quality bad (downstream writes hold) and " +
    "freezes the integral; the recovery is bumpless. State survives restarts and config changes.",
  inputs: INPUTS,
  outputs: OUTPUTS,
  keepStateOnConfigChange: true,
  config,
  // The integral and filtered measurement re-converge within a few scans of a restart.
  statePersistence: "periodic",
  initialState: (): PidState => ({
    i: null,
    pvf: null,
    output: null,
    computedAt: null,
    scan: null,
    tuning: "",
    resync: false,
  }),
  run(inputs, c, state, ctx, out) {
    const now = ctx.now;
    const pvIn = inputs[IN.pv];
    const spIn = inputs[IN.setpoint];
    const pv = pvIn?.quality === "bad" ? undefined : asNumber(pvIn);
    const sp = spIn ? (spIn.quality === "bad" ? undefined : asNumber(spIn)) : c.setpoint;
    const continuous = state.scan !== null && ctx.scan === state.scan + 1;
    state.scan = ctx.scan;
    if (pv === undefined || sp === undefined) {
      state.resync = true;
      const broken = [pvIn, spIn].find((x) => x && (x.quality === "bad" || asNumber(x) === undefined));
      return outputs(
        out,
        c,
        now,
        state.output,
        null,
        "bad",
        broken?.reason ?? "measurement or setpoint is not a number",
      );
    }
    const sign = c.action === "reverse" ? 1 : -1;
    let e = sign * (sp - pv);
    if (Math.abs(e) <= c.deadband) e = 0;
    const p = c.kp * e;
    const quality = pvIn?.quality === "uncertain" || spIn?.quality === "uncertain" ? "uncertain" : "good";
    const reason = pvIn?.reason ?? spIn?.reason;
    const key = tuningKey(c);

    // Track (hand/auto, override): the output is imposed and the integral follows it.
    const track = inputs[IN.track];
    const trackValue = asNumber(inputs[IN.track_value]);
    if (asBoolean(track) === true && track?.quality !== "bad" && trackValue !== undefined) {
      const output = clamp(trackValue, c.out_min, c.out_max);
      state.i = output - p;
      state.output = output;
      state.pvf = pv;
      state.computedAt = now;
      state.tuning = key;
      state.resync = false;
      return outputs(out, c, now, output, e, quality, reason);
    }

    // Bumpless transfer: continue from the last output instead of jumping.
    if (state.output !== null && (!continuous || state.resync || state.tuning !== key)) {
      // The integral may sit outside the output range here (a large error): clamping it would be the bump.
      state.i = state.output - p;
      state.pvf = pv;
      state.computedAt = now;
      state.tuning = key;
      state.resync = false;
      return outputs(out, c, now, state.output, e, quality, reason);
    }

    if (state.computedAt !== null && now - state.computedAt < c.sample_time_s * 1000) {
      return outputs(out, c, now, state.output, e, quality, reason);
    }
    const dt = state.computedAt === null ? 0 : (now - state.computedAt) / 1000;
    let i = state.i ?? clamp(c.bias, c.out_min, c.out_max);

    let d = 0;
    const pvfPrev = state.pvf ?? pv;
    let pvf = pv;
    if (c.td_s > 0 && dt > 0) {
      const tf = c.td_s / c.derivative_filter;
      pvf = pvfPrev + (dt / (tf + dt)) * (pv - pvfPrev);
      d = -sign * c.kp * c.td_s * ((pvf - pvfPrev) / dt);
    }
    if (c.ti_s > 0 && dt > 0) {
      const di = (c.kp * e * dt) / c.ti_s;
      const unclamped = p + i + di + d;
      // Conditional integration: never integrate further into a saturated output.
      const windingUp = (unclamped > c.out_max && di > 0) || (unclamped < c.out_min && di < 0);
      if (!windingUp) i += di;
    }
    const output = clamp(p + i + d, c.out_min, c.out_max);
    state.i = i;
    state.pvf = pvf;
    state.output = output;
    state.computedAt = now;
    state.tuning = key;
    state.resync = false;
    return outputs(out, c, now, output, e, quality, reason);
  },
  examples: [
    {
      title: "AHU supply-air temperature (heating valve)",
      config: { setpoint: 18, kp: 15, ti_s: 60, action: "reverse", out_min: 0, out_max: 100 },
      explanation: "Opens the heating valve as the supply air falls below 18 °C.",
    },
    {
      title: "Duct static pressure (fan speed)",
      config: {
        setpoint: 250,
        kp: 0.1,
        ti_s: 20,
        action: "reverse",
        out_min: 20,
        out_max: 100,
        sample_time_s: 1,
      },
      explanation: "Fan speed between 20 and 100 % to hold 250 Pa.",
    },
  ],
});
