import type { TestExpectation } from "@bms/schemas";
import type { Payload } from "../core/types";

/** What an expectation's target held at one scan: the commanded value of a point, or a node output. */
export interface Sample {
  atS: number;
  /** undefined: nothing written yet (point) or no output yet (node). */
  value: Payload | undefined;
}

/** A write to the expectation's point, for the priority check. */
export interface SeenWrite {
  atS: number;
  priority: number;
}

export interface ExpectationOutcome {
  passed: boolean;
  /** `expected:`/`actual:` lines a person reads to see why it failed (empty when it passed). */
  diff: string[];
}

const OP_TEXT: Record<TestExpectation["op"], string> = {
  eq: "=",
  ne: "≠",
  gt: ">",
  ge: "≥",
  lt: "<",
  le: "≤",
  between: "between",
};

/** Booleans compare with numbers as 1/0, as a binary point reads on a BACnet controller. */
function numeric(v: Payload | undefined): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

export function satisfies(e: TestExpectation, actual: Payload | undefined): boolean {
  if (actual === undefined || actual === null || Array.isArray(actual)) return false;
  const a = numeric(actual);
  const want = numeric(e.value as Payload);
  if (a === undefined || want === undefined) {
    // Strings compare exactly, and only for (in)equality.
    if (e.op === "eq") return actual === e.value;
    if (e.op === "ne") return actual !== e.value;
    return false;
  }
  const tol = e.tolerance;
  switch (e.op) {
    case "eq":
      return Math.abs(a - want) <= tol;
    case "ne":
      return Math.abs(a - want) > tol;
    case "gt":
      return a > want - tol;
    case "ge":
      return a >= want - tol;
    case "lt":
      return a < want + tol;
    case "le":
      return a <= want + tol;
    case "between":
      return a >= want - tol && a <= (e.max ?? want) + tol;
  }
}

export function formatValue(v: Payload | undefined): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number") return String(Math.round(v * 1000) / 1000);
  return JSON.stringify(v);
}

/** "bacnet:3001/analogOutput:1.presentValue > 80 (±0.5) at some scan within 0–300 s" */
export function describeExpectation(e: TestExpectation, target: string, endS: number): string {
  const bound =
    e.op === "between"
      ? `between ${formatValue(e.value)} and ${formatValue(e.max)}`
      : `${OP_TEXT[e.op]} ${formatValue(e.value)}`;
  const tol = e.tolerance > 0 ? ` (±${e.tolerance})` : "";
  const to = e.to_s ?? endS;
  const when =
    e.mode === "always"
      ? `at every scan from ${e.from_s} s to ${to} s`
      : e.mode === "eventually"
        ? `at some scan within ${e.from_s}–${to} s`
        : `at ${to} s`;
  const priority = e.priority === undefined ? "" : `, written at priority ${e.priority}`;
  return `${target} ${bound}${tol} ${when}${priority}`;
}

/** The range a target covered: "20 → 78.5 (min 20 at 0 s, max 78.5 at 300 s)". */
function range(samples: readonly Sample[]): string {
  const known = samples.filter((s) => s.value !== undefined);
  if (known.length === 0) return "nothing the whole window";
  const first = known[0]!;
  const last = known.at(-1)!;
  const nums = known.filter((s) => numeric(s.value) !== undefined);
  let span = "";
  if (nums.length > 0) {
    const min = nums.reduce((m, s) => (numeric(s.value)! < numeric(m.value)! ? s : m));
    const max = nums.reduce((m, s) => (numeric(s.value)! > numeric(m.value)! ? s : m));
    span = ` (min ${formatValue(min.value)} at ${min.atS} s, max ${formatValue(max.value)} at ${max.atS} s)`;
  }
  return `${formatValue(first.value)} at ${first.atS} s → ${formatValue(last.value)} at ${last.atS} s${span}`;
}

/**
 * Judges one expectation over the run's samples of its target (one per scan, in time order) and the
 * writes seen to it. `endS` is the run's last scan time, the window's end when `to_s` is absent.
 */
export function judge(
  e: TestExpectation,
  target: string,
  samples: readonly Sample[],
  writes: readonly SeenWrite[],
  endS: number,
): ExpectationOutcome {
  const to = e.to_s ?? endS;
  const window = samples.filter((s) => s.atS >= e.from_s && s.atS <= to);
  const expected = `expected: ${describeExpectation(e, target, endS)}`;
  if (window.length === 0) return { passed: false, diff: [expected, "actual:   no scan in the window"] };
  let actual: string | undefined;
  if (e.mode === "always") {
    const misses = window.filter((s) => !satisfies(e, s.value));
    if (misses.length > 0)
      actual = `${misses.length} of ${window.length} scans missed, first at ${misses[0]!.atS} s with ${formatValue(misses[0]!.value)}; ${range(window)}`;
  } else if (e.mode === "eventually") {
    if (!window.some((s) => satisfies(e, s.value))) actual = `never; ${range(window)}`;
  } else {
    const last = window.at(-1)!;
    if (!satisfies(e, last.value)) actual = `${formatValue(last.value)} at ${last.atS} s`;
  }
  if (actual === undefined && e.priority !== undefined) {
    const wrong = writes.find((w) => w.atS >= e.from_s && w.atS <= to && w.priority !== e.priority);
    if (wrong) actual = `written at priority ${wrong.priority} at ${wrong.atS} s`;
  }
  return actual === undefined
    ? { passed: true, diff: [] }
    : { passed: false, diff: [expected, `actual:   ${actual}`] };
}
