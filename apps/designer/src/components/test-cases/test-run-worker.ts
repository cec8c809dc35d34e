/*
 * The Web Worker that runs a flow's test cases for the Designer (test-run-protocol.ts says why it is not
 * the page). It is the same runner as `pnpm flow-test`: the real compiler, runtime and QuickJS sandbox;
 * the only thing added is a word to the page before and after each Script evaluation, so the page's
 * watchdog knows what is running and for how long it may. No eval, Function or node:vm here either: user
 * code only ever reaches QuickJS, as text.
 *
 * Its response carries a CSP of its own that allows WebAssembly compilation (server.ts), which QuickJS
 * needs; the page's script-src does not, so user code can only ever be compiled in here.
 */

import type { ScriptRunner } from "@bms/nodes";
import { type FlowTestResult, runFlowTestCase } from "@bms/nodes/flow-test";
import { inThreadScriptRunner } from "@bms/nodes/script-sandbox";
import { type RunMessage, type RunRequest, unfinishedVerdict } from "./test-run-protocol";

/** The worker's global scope, typed here: the app's lib is the DOM's, not the WebWorker one. */
const scope = globalThis as unknown as {
  postMessage(message: RunMessage): void;
  onmessage: ((event: { data: RunRequest }) => void) | null;
};

const post = (message: RunMessage) => scope.postMessage(message);

/** Evaluates in this thread, as the runner's default does, and says so to the page around each call. */
const announcedScripts: ScriptRunner = {
  run(job) {
    post({ type: "script", nodeId: job.nodeId ?? "?", timeoutMs: job.timeoutMs });
    try {
      return inThreadScriptRunner.run(job);
    } finally {
      post({ type: "script-end" });
    }
  },
};

scope.onmessage = async ({ data }) => {
  if (data?.type !== "run") return;
  for (const test of data.cases) {
    post({ type: "case", id: test.id });
    let result: FlowTestResult;
    try {
      result = await runFlowTestCase(data.flows, test, undefined, announcedScripts);
    } catch (error) {
      // A case the runner could not run (the script engine failed to load) fails alone, with why.
      const flowName = data.flows.find((f) => f.metadata.flow_id === test.flow_id)?.metadata.flow_name ?? "";
      const why = error instanceof Error ? error.message : String(error);
      result = unfinishedVerdict(test, flowName, 0, `the runner failed: ${why}`);
    }
    post({ type: "result", result });
  }
  post({ type: "done" });
};
