import type { FlowTestResult } from "@bms/nodes/flow-test";
import type { FlowConfiguration, FlowTestCase } from "@bms/schemas";

/*
 * The Designer runs a flow's test cases in a Web Worker (test-run-worker.ts), never on the page's main
 * thread: a Script node's single huge built-in call (`indexOf` or `sort` over a huge array) is one
 * QuickJS operation, which the sandbox's interrupt handler cannot cut short, so on the page it froze
 * the tab for the whole call. The page watches the worker (test-run-client.ts) and terminates it when a
 * script runs past its budget plus grace. This file is what the two say to each other, and the
 * watchdog's rule, kept free of timers and DOM so it is unit-tested as it is.
 */

/** Page → worker: run these cases, in order, against these (already expanded) flows. */
export interface RunRequest {
  type: "run";
  flows: FlowConfiguration[];
  cases: FlowTestCase[];
}

/** Worker → page. */
export type RunMessage =
  /** A case begins. */
  | { type: "case"; id: string }
  /** A Script node begins evaluating, with its budget: the one thing in a run that may not come back. */
  | { type: "script"; nodeId: string; timeoutMs: number }
  /** That evaluation came back (whatever its outcome). */
  | { type: "script-end" }
  /** A case's verdict. */
  | { type: "result"; result: FlowTestResult }
  /** Every case asked for has its verdict. */
  | { type: "done" };

/**
 * What a script may take past its own budget before the page gives up on the worker: the interpreter
 * ends a runaway loop at its budget, so only a call it cannot interrupt (or a thread the machine set
 * aside for that long) gets here. The supervisor's script pool allows about the same (1.05 s).
 */
export const TEST_SCRIPT_GRACE_MS = 1000;

/** A case the watchdog stopped: the verdict the page shows for it. */
export interface TimedOut {
  caseId: string;
  nodeId: string;
  timeoutMs: number;
}

/**
 * The watchdog's view of a run: which case is running and, while a Script node evaluates, by when it
 * must come back. Fed every message the worker sends, with the page's clock at its arrival (a message
 * that arrives late only moves the deadline later: the watchdog never fires early).
 */
export class RunWatch {
  caseId: string | null = null;
  private script: { nodeId: string; timeoutMs: number; deadline: number } | null = null;

  constructor(private readonly graceMs = TEST_SCRIPT_GRACE_MS) {}

  seen(message: RunMessage, now: number): void {
    switch (message.type) {
      case "case":
        this.caseId = message.id;
        this.script = null;
        break;
      case "script":
        this.script = {
          nodeId: message.nodeId,
          timeoutMs: message.timeoutMs,
          deadline: now + message.timeoutMs + this.graceMs,
        };
        break;
      case "script-end":
        this.script = null;
        break;
      case "result":
        this.caseId = null;
        this.script = null;
        break;
      default:
        break;
    }
  }

  /** The case to stop now, or null: a script of the running case is past its budget plus grace. */
  overdue(now: number): TimedOut | null {
    if (this.caseId === null || this.script === null || now <= this.script.deadline) return null;
    return { caseId: this.caseId, nodeId: this.script.nodeId, timeoutMs: this.script.timeoutMs };
  }
}

/** A case's verdict as the panel shows it: the runner's, or the watchdog's when it stopped the case. */
export type CaseVerdict = FlowTestResult & { timedOut?: boolean; stopped?: boolean };

/** The verdict of a case that did not finish: no scans counted, no expectation judged, and why. */
export function unfinishedVerdict(
  test: FlowTestCase,
  flowName: string,
  elapsedMs: number,
  error: string,
): CaseVerdict {
  return {
    id: test.id,
    name: test.name,
    flowId: test.flow_id,
    flowName,
    passed: false,
    scans: 0,
    simulatedS: 0,
    elapsedMs,
    expectations: [],
    error,
  };
}

/** The verdict of a case the watchdog stopped, naming the node as the canvas shows it. */
export function timedOutVerdict(
  test: FlowTestCase,
  flowName: string,
  stopped: TimedOut,
  nodeName: string,
  elapsedMs: number,
  graceMs = TEST_SCRIPT_GRACE_MS,
): CaseVerdict {
  const why =
    `timed out: the Script node "${nodeName}" ran past its ${stopped.timeoutMs} ms budget ` +
    `(+${graceMs} ms grace) in one call the sandbox cannot interrupt (a built-in such as indexOf or ` +
    "sort over a huge array), so the run was stopped";
  return { ...unfinishedVerdict(test, flowName, elapsedMs, why), timedOut: true };
}

/** The verdict of a case the person stopped (Stop) before it finished. */
export function stoppedVerdict(test: FlowTestCase, flowName: string, elapsedMs: number): CaseVerdict {
  return { ...unfinishedVerdict(test, flowName, elapsedMs, "stopped before it finished"), stopped: true };
}
