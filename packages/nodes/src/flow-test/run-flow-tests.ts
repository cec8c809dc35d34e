import {
  expandProjectFlows,
  type FlowConfiguration,
  type FlowTestCase,
  normalizePointRef,
  type ProjectDocument,
  type ValidationProblem,
} from "@bms/schemas";
import type { ScriptRunner } from "../core/script-runner";
import type { NodeValue, Scalar } from "../core/types";
import { compileFlow } from "../engine/compile";
import { FlowRuntime } from "../engine/flow-runtime";
import { lookupNode, type NodeRegistryLookup } from "../registry";
import { judge, type Sample, type SeenWrite } from "./expectations";

/** One expectation's verdict, with the lines that say why it failed. */
export interface ExpectationResult {
  index: number;
  label: string;
  passed: boolean;
  diff: string[];
}

export interface FlowTestResult {
  id: string;
  name: string;
  flowId: string;
  flowName: string;
  passed: boolean;
  /** Scans run and the simulated seconds they covered. */
  scans: number;
  simulatedS: number;
  /** Wall-clock time the run took. */
  elapsedMs: number;
  expectations: ExpectationResult[];
  /** A problem that kept the case from running (an unknown node, a flow that does not compile). */
  error?: string;
}

const DEFAULT_SCAN_S = 1;

/** A point ref in canonical form, or the text as written when it does not parse (it then matches nothing). */
function canonical(ref: string): string {
  try {
    return normalizePointRef(ref);
  } catch {
    return ref;
  }
}

function scanSeconds(flow: FlowConfiguration, test: FlowTestCase): number {
  if (test.scan_s !== undefined) return test.scan_s;
  const trigger = flow.execution.trigger as { type: string; interval_ms?: number };
  return trigger.type === "interval" && trigger.interval_ms ? trigger.interval_ms / 1000 : DEFAULT_SCAN_S;
}

/**
 * Runs one test case against its flow (library instances expanded as for a deploy) through the real
 * compiler and runtime on a simulated clock: as fast as the flow evaluates, so a day at 1 s scans takes
 * seconds. Points read the timeline's values; a point the flow commands and the timeline does not drive
 * reads back what was last written, as a device answers for its own output. `scripts` is where Script
 * nodes evaluate (in this thread when absent): the Designer's test worker passes one that tells its page
 * which node is evaluating, for the page's watchdog.
 */
export async function runFlowTestCase(
  flows: readonly FlowConfiguration[],
  test: FlowTestCase,
  registry: NodeRegistryLookup = lookupNode,
  scripts?: ScriptRunner,
): Promise<FlowTestResult> {
  const started = performance.now();
  const flow = flows.find((f) => f.metadata.flow_id === test.flow_id);
  const base = {
    id: test.id,
    name: test.name,
    flowId: test.flow_id,
    flowName: flow?.metadata.flow_name ?? test.flow_id,
    scans: 0,
    simulatedS: 0,
  };
  const fail = (error: string): FlowTestResult => ({
    ...base,
    passed: false,
    elapsedMs: performance.now() - started,
    expectations: [],
    error,
  });
  if (!flow) return fail(`the project holds no flow ${test.flow_id}`);
  const compiled = compileFlow(flow, registry);
  if (!compiled.ok)
    return fail(
      `the flow does not compile: ${compiled.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
    );
  const plan = compiled.value;
  for (const [i, e] of test.expect.entries()) {
    if (e.output && !plan.byId.has(e.output.node))
      return fail(`expect[${i}] names node "${e.output.node}", which the flow does not hold`);
  }

  const runtime = new FlowRuntime(plan, {
    onFailure: flow.execution.error_handling.on_failure,
    retryCount: 0,
  });
  await runtime.prepare();
  const scanMs = Math.round(scanSeconds(flow, test) * 1000);
  const start = Date.parse(test.start);
  const steps = [...test.inputs].sort((a, b) => a.at_s - b.at_s);
  const driven = new Map<string, NodeValue>();
  const parameters = new Map<string, Scalar>();
  const commanded = new Map<string, NodeValue>();
  const targets = test.expect.map((e) =>
    e.point ? canonical(e.point) : `${e.output!.node}.${e.output!.port}`,
  );
  const samples: Sample[][] = test.expect.map(() => []);
  const writesTo = new Map<string, SeenWrite[]>();
  const durationMs = test.duration_s * 1000;
  let next = 0;
  let scans = 0;
  let stopped: string | undefined;
  let lastS = 0;

  for (let t = 0; t <= durationMs; t += scanMs) {
    const now = start + t;
    while (next < steps.length && steps[next]!.at_s * 1000 <= t) {
      const s = steps[next++]!;
      if (s.parameter !== undefined) {
        if (s.value === null) parameters.delete(s.parameter);
        else parameters.set(s.parameter, s.value);
      } else driven.set(canonical(s.point!), { value: s.value, quality: s.quality, timestamp: now });
    }
    const result = await runtime.runScan({
      now,
      trigger: "interval",
      readPoint: (p) => {
        const ref = canonical(p);
        const v = driven.get(ref) ?? commanded.get(ref);
        return v && { ...v, timestamp: now };
      },
      parameter: (name) => parameters.get(name),
      ...(scripts ? { scripts } : {}),
    });
    scans++;
    const atS = t / 1000;
    lastS = atS;
    for (const w of result.writes) {
      const ref = canonical(w.point);
      if (w.value === null) commanded.delete(ref);
      else commanded.set(ref, { value: w.value, quality: "good", timestamp: now });
      const list = writesTo.get(ref) ?? [];
      list.push({ atS, priority: w.priority });
      writesTo.set(ref, list);
    }
    test.expect.forEach((e, i) => {
      const value = e.point
        ? commanded.get(targets[i]!)?.value
        : runtime.outputsOf(e.output!.node)?.[e.output!.port]?.value;
      samples[i]!.push({ atS, value });
    });
    if (result.stoppedBy) {
      stopped = `the flow stopped at ${atS} s: node ${result.stoppedBy.nodeId} failed (${result.stoppedBy.error})`;
      break;
    }
  }

  const expectations = test.expect.map((e, i): ExpectationResult => {
    const outcome = judge(e, targets[i]!, samples[i]!, writesTo.get(targets[i]!) ?? [], lastS);
    const neverWritten = e.point && !plan.writes.some((w) => canonical(w) === targets[i]);
    return {
      index: i,
      label: e.label ?? `expect[${i}]`,
      passed: outcome.passed,
      diff:
        outcome.passed || !neverWritten
          ? outcome.diff
          : [...outcome.diff, "note:     the flow never writes this point"],
    };
  });
  return {
    ...base,
    passed: stopped === undefined && expectations.every((e) => e.passed),
    scans,
    simulatedS: lastS,
    elapsedMs: performance.now() - started,
    expectations,
    ...(stopped ? { error: stopped } : {}),
  };
}

/**
 * Runs every test case of a project in document order. Expansion problems (an unbound library point)
 * come back as problems and no case runs: the project would not deploy either.
 */
export async function runProjectTests(
  doc: ProjectDocument,
  registry: NodeRegistryLookup = lookupNode,
): Promise<{ problems: ValidationProblem[]; results: FlowTestResult[] }> {
  const { flows, problems } = expandProjectFlows(doc);
  if (problems.length > 0) return { problems, results: [] };
  const results: FlowTestResult[] = [];
  for (const test of doc.tests ?? []) results.push(await runFlowTestCase(flows, test, registry));
  return { problems: [], results };
}
