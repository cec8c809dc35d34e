import type { Scalar } from "../core/types";
import type { ReplayRun } from "./replay-run";

/**
 * Compares what two versions of a flow commanded over the same replayed scans, point by point, and
 * says it in the words an integrator uses: "this change would have commanded bacnet:3001/analogOutput:1
 * 12 % lower between 10:04 and 10:09".
 */

/** A stretch of consecutive scans where the two versions commanded different values. */
export interface ChangeWindow {
  from: number;
  to: number;
  /** Numbers: the mean of candidate − running over the stretch; absent for booleans and texts. */
  meanDelta?: number;
  /** Numbers: the candidate − running of the scan that differed most in the stretch. */
  peakDelta?: number;
  running: Scalar | null;
  candidate: Scalar | null;
}

export interface OutputComparison {
  point: string;
  priority: number | null;
  changed: boolean;
  windows: ChangeWindow[];
  /** The largest |candidate − running| of any scan, for numbers. */
  maxDelta?: number;
  summary: string;
  /** Both series for a chart, thinned to at most `maxChartPoints` scans. */
  chart: { at: number; running: Scalar | null; candidate: Scalar | null }[];
}

export interface CompareOptions {
  /** Numbers closer than this are the same command (a float's last digits are no change). */
  tolerance?: number;
  /** Engineering units per point, for the wording ("%", "°C"). */
  units?: (point: string) => string | undefined;
  /** IANA zone the times are told in; the host's when absent. */
  timeZone?: string;
  maxChartPoints?: number;
}

const DEFAULT_TOLERANCE = 1e-6;

function differs(a: Scalar | null, b: Scalar | null, tolerance: number): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) > tolerance;
  return a !== b;
}

/** 12, 1.5, 0.25: at most three significant digits, never "12.000". */
export function roundForText(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(abs.toFixed(digits)));
}

function show(v: Scalar | null): string {
  if (v === null) return "nothing (relinquished)";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "number") return String(Number(v.toFixed(3)));
  return JSON.stringify(v);
}

/**
 * "10:04"; "10:04:30" for a stretch shorter than two minutes; "2 Dec 10:04" when the stretch runs over
 * more than one day (a 24-hour replay), so its two ends never read alike.
 */
export function clockText(
  at: number,
  precision: { seconds: boolean; day: boolean },
  timeZone?: string,
): string {
  return new Intl.DateTimeFormat("en-GB", {
    ...(precision.day ? { day: "numeric", month: "short" } : {}),
    hour: "2-digit",
    minute: "2-digit",
    ...(precision.seconds ? { second: "2-digit" } : {}),
    hour12: false,
    ...(timeZone ? { timeZone } : {}),
  })
    .format(at)
    .replace(",", "");
}

function dayOf(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "short", ...(timeZone ? { timeZone } : {}) }).format(
    at,
  );
}

/** The sentence for one point's changes. */
export function describeChange(
  point: string,
  windows: readonly ChangeWindow[],
  units: string | undefined,
  timeZone?: string,
): string {
  if (windows.length === 0) return `no change to what ${point} is commanded`;
  // The stretch that moved the plant most (difference × duration) speaks for the point; the rest are counted.
  const weight = (w: ChangeWindow) => Math.abs(w.meanDelta ?? 1) * (w.to - w.from + 1);
  const main = windows.reduce((best, w) => (weight(w) > weight(best) ? w : best));
  const precision = {
    seconds: main.to - main.from < 120_000,
    day: dayOf(main.from, timeZone) !== dayOf(main.to, timeZone),
  };
  const span =
    main.from === main.to
      ? `at ${clockText(main.from, { seconds: true, day: false }, timeZone)}`
      : `between ${clockText(main.from, precision, timeZone)} and ${clockText(main.to, precision, timeZone)}`;
  const more =
    windows.length > 1
      ? ` (and ${windows.length - 1} more period${windows.length > 2 ? "s" : ""} of change)`
      : "";
  let what: string;
  if (main.running === null)
    what = `would have commanded ${point} to ${show(main.candidate)} where the running version commanded nothing`;
  else if (main.candidate === null)
    what = `would not have commanded ${point} (the running version commanded ${show(main.running)})`;
  else if (main.meanDelta !== undefined) {
    const unit = units ? ` ${units}` : "";
    const way = main.meanDelta < 0 ? "lower" : "higher";
    const mean = roundForText(main.meanDelta);
    const peak = roundForText(main.peakDelta ?? main.meanDelta);
    what =
      mean === peak
        ? `would have commanded ${point} ${mean}${unit} ${way}`
        : `would have commanded ${point} ${mean}${unit} ${way} on average (at most ${peak}${unit})`;
  } else what = `would have commanded ${point} ${show(main.candidate)} instead of ${show(main.running)}`;
  return `this change ${what} ${span}${more}`;
}

function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.floor(i * step)]!);
  out.push(items.at(-1)!);
  return out;
}

/**
 * Per point either version commands: where and by how much the candidate's commands differ from the
 * running version's over the replayed `times`. Changed points come first.
 */
export function compareReplays(
  running: ReplayRun,
  candidate: ReplayRun,
  times: readonly number[],
  options: CompareOptions = {},
): OutputComparison[] {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const points = [...new Set([...running.tracks.keys(), ...candidate.tracks.keys()])].sort();
  const results = points.map((point): OutputComparison => {
    const a = running.tracks.get(point);
    const b = candidate.tracks.get(point);
    const windows: ChangeWindow[] = [];
    let open:
      | {
          from: number;
          to: number;
          sum: number;
          n: number;
          peak: number;
          numeric: boolean;
          a: Scalar | null;
          b: Scalar | null;
          sign: number;
        }
      | undefined;
    let maxDelta: number | undefined;
    const close = () => {
      if (!open) return;
      windows.push({
        from: open.from,
        to: open.to,
        running: open.a,
        candidate: open.b,
        ...(open.numeric ? { meanDelta: open.sum / open.n, peakDelta: open.peak } : {}),
      });
      open = undefined;
    };
    times.forEach((at, i) => {
      const va = a?.values[i] ?? null;
      const vb = b?.values[i] ?? null;
      if (!differs(va, vb, tolerance)) {
        close();
        return;
      }
      const numeric = typeof va === "number" && typeof vb === "number";
      const delta = numeric ? (vb as number) - (va as number) : 0;
      if (numeric) maxDelta = Math.max(maxDelta ?? 0, Math.abs(delta));
      const sign = Math.sign(delta);
      // A stretch is one kind of change: higher, lower, or one value for another.
      if (
        open &&
        (open.numeric !== numeric || open.sign !== sign || (!numeric && (open.a !== va || open.b !== vb)))
      )
        close();
      if (!open) open = { from: at, to: at, sum: 0, n: 0, peak: 0, numeric, a: va, b: vb, sign };
      open.to = at;
      if (Math.abs(delta) > Math.abs(open.peak)) open.peak = delta;
      open.sum += delta;
      open.n++;
    });
    close();
    const chart = thin(
      times.map((at, i) => ({ at, running: a?.values[i] ?? null, candidate: b?.values[i] ?? null })),
      options.maxChartPoints ?? 500,
    );
    return {
      point,
      priority: b?.priority ?? a?.priority ?? null,
      changed: windows.length > 0,
      windows,
      ...(maxDelta !== undefined ? { maxDelta } : {}),
      summary: describeChange(point, windows, options.units?.(point), options.timeZone),
      chart,
    };
  });
  return results.sort((x, y) => Number(y.changed) - Number(x.changed));
}
