import type { PointReading } from "../protocols/point-io";
import { counterDelta, type ProtocolCounters } from "./counters";
import { type Baseline, type BaselineDeviceLine, type BaselineFlowLine, stats } from "./report-types";

/**
 * The performance baseline (issue 16): over a chosen window, each flow's scan times (from the engine's
 * own traces), each device's poll time (the device's site points read in one request, every poll
 * interval) and the request errors each protocol counted. What "normal" looks like on handover day, to
 * compare with when the site is slow a year later.
 */

export interface BaselineFlow {
  flowId: string;
  name: string;
  running: boolean;
  intervalMs: number | null;
  scans(): number;
  /** Scan durations recorded since `from` (ms since epoch). */
  scanDurationsSince(from: number): number[];
}

export interface BaselineDeps {
  read(refs: readonly string[]): Promise<PointReading[]>;
  devices: ReadonlyMap<string, readonly string[]>;
  flows: BaselineFlow[];
  counters(): ProtocolCounters[];
  loggedErrorsSince(from: number): number;
  windowMs: number;
  pollIntervalMs: number;
  /** Stops the window early (the app is closing). */
  signal?: AbortSignal;
  now?: () => number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function measureBaseline(deps: BaselineDeps): Promise<Baseline> {
  const now = deps.now ?? Date.now;
  const start = now();
  const startScans = new Map(deps.flows.map((f) => [f.flowId, f.scans()]));
  const before = deps.counters();
  const polls = new Map<string, { times: number[]; bad: number }>();
  for (const device of deps.devices.keys()) polls.set(device, { times: [], bad: 0 });
  const end = start + deps.windowMs;
  while (now() < end && !deps.signal?.aborted) {
    const round = now();
    for (const [device, refs] of deps.devices) {
      const t0 = performance.now();
      const readings = await deps.read(refs);
      const entry = polls.get(device)!;
      entry.times.push(performance.now() - t0);
      entry.bad += readings.filter((r) => r.quality !== "good").length;
    }
    const wait = Math.min(deps.pollIntervalMs - (now() - round), end - now());
    if (wait > 0) await sleep(wait, deps.signal);
  }
  const finished = now();
  const flows: BaselineFlowLine[] = deps.flows.map((f) => {
    const scans = f.scans() - (startScans.get(f.flowId) ?? 0);
    const scan = stats(f.scanDurationsSince(start));
    const line: BaselineFlowLine = {
      flow_id: f.flowId,
      flow_name: f.name,
      interval_ms: f.intervalMs,
      scans,
      scan,
      verdict: "pass",
      detail: "",
    };
    if (!f.running) {
      line.verdict = "skipped";
      line.detail = "the flow is not running";
    } else if (scans === 0) {
      line.verdict = "fail";
      line.detail = "no scan in the window";
    } else if (f.intervalMs !== null && scan.max_ms !== null && scan.max_ms > f.intervalMs) {
      line.verdict = "fail";
      line.detail = `the slowest scan (${scan.max_ms} ms) overran the ${f.intervalMs} ms interval`;
    } else line.detail = plural(scans, "scan");
    return line;
  });
  const devices: BaselineDeviceLine[] = [...polls].map(([device, p]) => ({
    device,
    points: deps.devices.get(device)?.length ?? 0,
    poll: stats(p.times),
    bad_reads: p.bad,
    verdict: p.times.length === 0 ? "skipped" : p.bad === 0 ? "pass" : "fail",
    detail:
      p.times.length === 0
        ? "not polled (the window was too short)"
        : p.bad === 0
          ? `${plural(p.times.length, "poll")}, every read good`
          : `${plural(p.bad, "bad reading")} in ${plural(p.times.length, "poll")}`,
  }));
  return {
    window_s: Math.round((finished - start) / 100) / 10,
    started_at: new Date(start).toISOString(),
    ended_at: new Date(finished).toISOString(),
    flows,
    devices,
    request_errors: counterDelta(before, deps.counters()),
    logged_errors: deps.loggedErrorsSince(start),
  };
}
