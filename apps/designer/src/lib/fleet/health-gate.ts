import type { HealthSample } from "./supervisor-health";

/** Why a supervisor failed its health gate; the report and the UI branch on the code. */
export type GateFailureCode =
  | "unreachable"
  | "not_running"
  | "wrong_version"
  | "no_counters"
  | "scans_stalled"
  | "new_bad_points"
  | "new_alarms";

export type GateVerdict = { ok: true } | { ok: false; code: GateFailureCode; message: string };

/**
 * One sample judged against the baseline taken before the deploy: the engine runs the deployed
 * config, neither bad points nor open alarms grew. Scans going on is judged over the watch window by
 * `judgeScans` (one sample cannot tell).
 */
export function judgeSample(
  baseline: HealthSample,
  sample: HealthSample,
  expectedConfigVersion: number | null,
): GateVerdict {
  if (sample.scans === null || sample.bad_points === null || sample.alarms_open === null)
    return {
      ok: false,
      code: "no_counters",
      message: `supervisor ${sample.version} does not report scans, bad points and alarms: update it first`,
    };
  if (sample.engine !== "running")
    return { ok: false, code: "not_running", message: `the engine is ${sample.engine ?? "unknown"}` };
  if (expectedConfigVersion !== null && sample.config_version !== expectedConfigVersion)
    return {
      ok: false,
      code: "wrong_version",
      message: `it runs config v${sample.config_version ?? "none"}, not the deployed v${expectedConfigVersion}`,
    };
  const badBefore = baseline.bad_points ?? 0;
  if (sample.bad_points > badBefore)
    return {
      ok: false,
      code: "new_bad_points",
      message: `${sample.bad_points} point(s) read bad, ${badBefore} before the deploy`,
    };
  const alarmsBefore = baseline.alarms_open ?? 0;
  if (sample.alarms_open > alarmsBefore)
    return {
      ok: false,
      code: "new_alarms",
      message: `${sample.alarms_open} open alarm(s), ${alarmsBefore} before the deploy`,
    };
  return { ok: true };
}

/** Over the whole window: the scan counter moved after the deploy (a flow that never scans is not healthy). */
export function judgeScans(first: HealthSample, last: HealthSample): GateVerdict {
  if (first.scans !== null && last.scans !== null && last.scans > first.scans) return { ok: true };
  return {
    ok: false,
    code: "scans_stalled",
    message: `no scan ran during the watch window (scan counter ${first.scans ?? "?"} → ${last.scans ?? "?"})`,
  };
}
