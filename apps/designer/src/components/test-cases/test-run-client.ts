import type { FlowConfiguration, FlowTestCase } from "@bms/schemas";
import {
  type CaseVerdict,
  type RunMessage,
  type RunRequest,
  RunWatch,
  stoppedVerdict,
  TEST_SCRIPT_GRACE_MS,
  timedOutVerdict,
  unfinishedVerdict,
} from "./test-run-protocol";

/** How often the page looks at the watchdog: a timeout is seen within this much past budget + grace. */
const WATCH_EVERY_MS = 50;

/**
 * The worker's chunk. Its name is what server.ts recognises to give it the CSP that lets QuickJS compile
 * (webpack keeps a worker's `webpackChunkName` in the file name: static/chunks/flow-test-worker.<hash>.js).
 */
function createTestWorker(): Worker {
  return new Worker(
    /* webpackChunkName: "flow-test-worker" */ new URL("./test-run-worker.ts", import.meta.url),
    { name: "flow-test-worker" },
  );
}

export interface TestRun {
  /** Ends the run now: the case in progress is reported as stopped, the ones not begun get no verdict. */
  stop(): void;
  /** Settles when every case has a verdict, or the run was stopped. */
  done: Promise<void>;
}

/**
 * Runs `cases` in a Web Worker, one after another, and hands each verdict to `onVerdict` as it comes.
 * A Script node that does not come back within its budget plus grace gets the worker terminated: its
 * case is reported as timed out, naming the node as the canvas does (`nodeName`), and the cases after it
 * run on in a fresh worker. The page's main thread only ever handles messages, so it stays responsive.
 */
export function runCasesInWorker(options: {
  flows: FlowConfiguration[];
  cases: FlowTestCase[];
  nodeName(nodeId: string): string;
  onVerdict(verdict: CaseVerdict): void;
  graceMs?: number;
  createWorker?: () => Worker;
}): TestRun {
  const {
    flows,
    nodeName,
    onVerdict,
    graceMs = TEST_SCRIPT_GRACE_MS,
    createWorker = createTestWorker,
  } = options;
  const flowName = (id: string) => flows.find((f) => f.metadata.flow_id === id)?.metadata.flow_name ?? id;
  let left = [...options.cases];
  let worker: Worker | null = null;
  let watch = new RunWatch(graceMs);
  let caseStartedAt = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const end = () => {
    clearInterval(timer);
    worker?.terminate();
    worker = null;
    left = [];
    finish();
  };
  // Cases run in order and leave `left` with their verdict: the first one left is the one in progress.
  const running = (): FlowTestCase | undefined => left[0];

  const start = () => {
    watch = new RunWatch(graceMs);
    caseStartedAt = performance.now();
    const w = createWorker();
    worker = w;
    w.onmessage = (event: MessageEvent<RunMessage>) => {
      if (w !== worker) return;
      const message = event.data;
      watch.seen(message, performance.now());
      if (message.type === "case") caseStartedAt = performance.now();
      else if (message.type === "result") {
        left = left.filter((c) => c.id !== message.result.id);
        onVerdict(message.result);
      } else if (message.type === "done") end();
    };
    // The worker did not load or threw outside a case: every case left fails with why.
    w.onerror = (event: ErrorEvent) => {
      if (w !== worker) return;
      event.preventDefault();
      const why = `the test runner failed: ${event.message || "the worker did not start"}`;
      for (const c of left) onVerdict(unfinishedVerdict(c, flowName(c.flow_id), 0, why));
      end();
    };
    const request: RunRequest = { type: "run", flows, cases: left };
    w.postMessage(request);
  };

  const timer = setInterval(() => {
    const now = performance.now();
    const overdue = watch.overdue(now);
    if (!overdue) return;
    const test = running();
    worker?.terminate();
    worker = null;
    if (test) {
      onVerdict(
        timedOutVerdict(
          test,
          flowName(test.flow_id),
          overdue,
          nodeName(overdue.nodeId),
          now - caseStartedAt,
          graceMs,
        ),
      );
      left = left.filter((c) => c !== test);
    }
    if (left.length > 0) start();
    else end();
  }, WATCH_EVERY_MS);

  if (left.length === 0) end();
  else start();

  return {
    stop() {
      const test = running();
      if (test) onVerdict(stoppedVerdict(test, flowName(test.flow_id), performance.now() - caseStartedAt));
      end();
    },
    done,
  };
}
