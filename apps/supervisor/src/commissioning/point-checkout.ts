import { type BacnetPointRef, formatPointRef, parsePointRef, pointRefScheme } from "@bms/schemas";
import type {
  PointIOCapabilities,
  PointReading,
  PointScalar,
  PointWrite,
  WriteOutcome,
} from "../protocols/point-io";
import { deviceOf } from "./device-key";
import type { CheckoutLine, CheckoutWriteTest } from "./report-types";

/**
 * Point checkout (issue 16): every point the site uses is read (value, units, quality, response time);
 * every commanded point the person confirmed is then stroked: a test value written at the chosen
 * priority, the priority array read back, the priority relinquished and read back again. Through the
 * PointIO registry, so it works for every protocol; a protocol without a priority array gets the test
 * value read back from the point and its previous value written back instead of a relinquish.
 */

export interface CheckoutIO {
  read(refs: readonly string[]): Promise<PointReading[]>;
  write(writes: readonly PointWrite[]): Promise<WriteOutcome[]>;
  capabilities(protocol: string): PointIOCapabilities | undefined;
}

export interface WriteTestPlan {
  priority: number;
  /** The points the person confirmed (every commanded point when the run was confirmed as a whole). */
  confirmed: ReadonlySet<string>;
  /** Test values by point; a point without one is written its own current value (nothing moves). */
  values: ReadonlyMap<string, PointScalar>;
  /** Points an admin forced over a flow's command at this priority: point → the flow's description. */
  forced: ReadonlyMap<string, { flowId: string; label: string }>;
}

export interface CheckoutPlan {
  points: readonly string[];
  commanded: ReadonlySet<string>;
  writeTest?: WriteTestPlan;
}

export interface CheckoutDeps {
  io: CheckoutIO;
  /** Engineering units of a point from the device cache, when known. */
  units(ref: string): string | undefined;
  /** After a forced line: the flow's next scan must rewrite its command (the test relinquished it). */
  restoreFlow(flowId: string): void;
  /**
   * The write test's command on record in runtime.db: `reserve` before the test value is written at a
   * priority, `released` once that priority has been relinquished, so a supervisor killed in between
   * relinquishes it at its next start (test-commands.ts). Not for a forced line: the flow's own command
   * is on record for that slot already.
   */
  commands?: {
    reserve(point: string, priority: number, value: PointScalar): void;
    released(point: string, priority: number): void;
  };
  /** Tells the caller each line as it is done (progress). */
  onLine?(line: CheckoutLine): void;
  /** Aborted when the run is cancelled: checked between lines, so a line (and its write test) ends whole. */
  signal?: AbortSignal;
  clock?: () => number;
}

/** Equal as a device stores them: REAL is float32, and binary values come back as 0/1 or booleans. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const x = typeof a === "boolean" ? Number(a) : a;
  const y = typeof b === "boolean" ? Number(b) : b;
  if (typeof x === "number" && typeof y === "number")
    return Math.abs(x - y) <= Math.max(1e-6, Math.abs(y) * 1e-6) || Math.abs(x - y) < 1e-3;
  return x === y;
}

/** The BACnet object's priority array ref for a commanded point, or undefined for other protocols. */
export function priorityArrayRef(point: string): string | undefined {
  const parsed = parsePointRef(point);
  if (!parsed.ok || parsed.ref.protocol !== "bacnet") return undefined;
  const ref: BacnetPointRef = { ...parsed.ref, property: "priorityArray" };
  delete ref.index;
  return formatPointRef(ref);
}

function protocolOf(point: string): string | undefined {
  const parsed = parsePointRef(point);
  return parsed.ok ? pointRefScheme(parsed.ref) : undefined;
}

const show = (v: unknown) => (v === null || v === undefined ? "null" : JSON.stringify(v));

export async function runCheckout(plan: CheckoutPlan, deps: CheckoutDeps): Promise<CheckoutLine[]> {
  const clock = deps.clock ?? (() => performance.now());
  const lines: CheckoutLine[] = [];
  for (const point of plan.points) {
    if (deps.signal?.aborted) break;
    const started = clock();
    const [reading] = await deps.io.read([point]);
    const responseMs = Math.round((clock() - started) * 10) / 10;
    const units = deps.units(point);
    const line: CheckoutLine = {
      point,
      device: deviceOf(point),
      commanded: plan.commanded.has(point),
      value: reading?.value ?? null,
      ...(units ? { units } : {}),
      quality: reading?.quality ?? "bad",
      ...(reading?.reason ? { reason: reading.reason } : {}),
      response_ms: responseMs,
      verdict: reading?.quality === "good" ? "pass" : "fail",
      detail:
        reading?.quality === "good"
          ? "read"
          : `read ${reading?.quality ?? "failed"}${reading?.code ? ` (${reading.code})` : ""}${reading?.reason ? `: ${reading.reason}` : ""}`,
    };
    const test = plan.writeTest;
    if (line.commanded && test) {
      if (!test.confirmed.has(point)) line.detail += "; write test not confirmed for this point";
      else if (line.verdict === "fail") line.detail += "; write test not run: the point does not read";
      else await writeTest(point, line, test, deps);
    }
    lines.push(line);
    deps.onLine?.(line);
  }
  return lines;
}

async function writeTest(
  point: string,
  line: CheckoutLine,
  test: WriteTestPlan,
  deps: CheckoutDeps,
): Promise<void> {
  const { io } = deps;
  const protocol = protocolOf(point);
  const caps = protocol ? io.capabilities(protocol) : undefined;
  const fail = (detail: string) => {
    line.verdict = "fail";
    line.detail = detail;
  };
  if (!caps?.write) return fail(`write test: ${protocol ?? "this"} points cannot be written`);
  const current = Array.isArray(line.value) ? null : line.value;
  const testValue = test.values.has(point) ? test.values.get(point)! : current;
  if (testValue === null) return fail("write test: no test value given and the point reads null");
  const arrayRef = caps.priorityArray ? priorityArrayRef(point) : undefined;
  const forced = test.forced.get(point);
  const slotOf = async (): Promise<{ ok: true; value: PointScalar } | { ok: false; message: string }> => {
    const [r] = await io.read([arrayRef!]);
    if (r?.quality !== "good" || !Array.isArray(r.value))
      return { ok: false, message: `priority array unreadable: ${r?.reason ?? r?.quality ?? "no answer"}` };
    return { ok: true, value: r.value[test.priority - 1] ?? null };
  };

  if (arrayRef) {
    // A slot someone else holds (another workstation, an override) is theirs: relinquishing it after the
    // test would silently drop their command. A flow's slot is refused earlier unless an admin forced it.
    const before = await slotOf();
    if (!before.ok) return fail(`write test: ${before.message}`);
    if (before.value !== null && !forced)
      return fail(
        `write test not run: priority ${test.priority} already holds ${show(before.value)} from another writer; choose a free priority`,
      );
  }

  const onRecord = arrayRef !== undefined && !forced;
  if (onRecord) deps.commands?.reserve(point, test.priority, testValue);
  const released = () => {
    if (onRecord) deps.commands?.released(point, test.priority);
  };
  const [written] = await io.write([{ ref: point, value: testValue, priority: test.priority }]);
  if (!written?.ok) {
    // A write that timed out may still have reached the device: the slot was free, so NULL it now.
    if (onRecord) {
      const [undo] = await io
        .write([{ ref: point, value: null, priority: test.priority }])
        .catch(() => [undefined]);
      if (undo?.ok) released();
    }
    return fail(`write test: the write was refused: ${written?.error ?? written?.code ?? "no answer"}`);
  }
  const result: CheckoutWriteTest = {
    priority: test.priority,
    test_value: testValue,
    after_write: null,
    after_release: null,
    release: arrayRef ? "relinquish" : "restore",
    value_after: null,
    ...(forced ? { forced_over_flow: forced.label } : {}),
  };
  line.write_test = result;
  // From here the device holds our test value: whatever throws below, the slot is released before the
  // error goes on, so no run (failed or cancelled) leaves a test value in a priority array.
  let relinquished = false;
  try {
    await checkAndRelease();
  } catch (error) {
    if (!relinquished) {
      const [outcome] = await io
        .write([{ ref: point, value: arrayRef ? null : current, priority: test.priority }])
        .catch(() => [undefined]);
      if (outcome?.ok) released();
    }
    throw error;
  }

  async function checkAndRelease(): Promise<void> {
    const problems: string[] = [];
    if (arrayRef) {
      const afterWrite = await slotOf();
      result.after_write = afterWrite.ok ? afterWrite.value : null;
      if (!afterWrite.ok) problems.push(afterWrite.message);
      else if (!sameValue(afterWrite.value, testValue))
        problems.push(
          `priority ${test.priority} read ${show(afterWrite.value)} after writing ${show(testValue)}`,
        );
      const [relinquish] = await io.write([{ ref: point, value: null, priority: test.priority }]);
      relinquished = true;
      // A refused relinquish stays on record: the next start (or stop) tries again.
      if (relinquish?.ok) released();
      else
        problems.push(`the relinquish was refused: ${relinquish?.error ?? relinquish?.code ?? "no answer"}`);
      const afterRelease = await slotOf();
      result.after_release = afterRelease.ok ? afterRelease.value : null;
      if (!afterRelease.ok) problems.push(afterRelease.message);
      else if (afterRelease.value !== null)
        problems.push(
          `priority ${test.priority} still holds ${show(afterRelease.value)} after the relinquish`,
        );
    } else {
      const [back] = await io.read([point]);
      result.after_write = back?.quality === "good" && !Array.isArray(back.value) ? back.value : null;
      if (back?.quality !== "good" || !sameValue(back.value, testValue))
        problems.push(
          `the point read ${show(back?.value)} (${back?.quality ?? "no answer"}) after writing ${show(testValue)}`,
        );
      // Nothing to relinquish without a priority array: the previous value goes back.
      const [restored] = await io.write([{ ref: point, value: current, priority: test.priority }]);
      relinquished = true;
      if (!restored?.ok)
        problems.push(`restoring ${show(current)} was refused: ${restored?.error ?? "no answer"}`);
      const [again] = await io.read([point]);
      result.after_release = again?.quality === "good" && !Array.isArray(again.value) ? again.value : null;
      if (!again || !sameValue(again.value, current))
        problems.push(`the point read ${show(again?.value)} after restoring ${show(current)}`);
    }
    if (forced) deps.restoreFlow(forced.flowId);
    const [final] = await io.read([point]);
    result.value_after = final?.value ?? null;
    if (problems.length > 0) return fail(`write test: ${problems.join("; ")}`);
    line.detail = arrayRef
      ? `read; wrote ${show(testValue)} at priority ${test.priority}, the priority array showed it, relinquished, the slot read null${forced ? `; forced over ${forced.label}, which rewrites its command next scan` : ""}`
      : `read; wrote ${show(testValue)}, read it back, restored ${show(current)} (no priority array)`;
  }
}
