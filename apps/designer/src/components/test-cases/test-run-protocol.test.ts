import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  builtTestWorkerScripts,
  isTestWorkerScript,
  testWorkerContentSecurityPolicy,
} from "../../lib/auth/content-security-policy";
import { RunWatch } from "./test-run-protocol";

describe("the test run watchdog", () => {
  it("gives a Script evaluation its budget plus grace, from the moment the page hears of it", () => {
    const watch = new RunWatch(1000);
    watch.seen({ type: "case", id: "c1" }, 0);
    expect(watch.overdue(60_000)).toBeNull();
    watch.seen({ type: "script", nodeId: "hog", timeoutMs: 50 }, 100);
    expect(watch.overdue(1150)).toBeNull();
    expect(watch.overdue(1151)).toEqual({ caseId: "c1", nodeId: "hog", timeoutMs: 50 });
  });

  it("has no deadline between evaluations or cases: a long run that keeps coming back is not stuck", () => {
    const watch = new RunWatch(1000);
    watch.seen({ type: "case", id: "c1" }, 0);
    for (let t = 0; t < 100_000; t += 100) {
      watch.seen({ type: "script", nodeId: "calc", timeoutMs: 50 }, t);
      watch.seen({ type: "script-end" }, t + 40);
    }
    expect(watch.overdue(1_000_000)).toBeNull();
    watch.seen({ type: "script", nodeId: "calc", timeoutMs: 50 }, 200_000);
    watch.seen(
      {
        type: "result",
        result: {
          id: "c1",
          name: "c1",
          flowId: "f",
          flowName: "f",
          passed: true,
          scans: 1,
          simulatedS: 0,
          elapsedMs: 1,
          expectations: [],
        },
      },
      200_010,
    );
    expect(watch.overdue(1_000_000)).toBeNull();
  });
});

describe("the test worker's CSP", () => {
  it("recognises only the worker chunk this build wrote, by its production path", () => {
    const chunks = mkdtempSync(join(tmpdir(), "bms-chunks-"));
    try {
      writeFileSync(join(chunks, "flow-test-worker.e3e200dcb11b3d70.js"), "");
      writeFileSync(join(chunks, "page-e3e200dcb11b3d70.js"), "");
      const built = builtTestWorkerScripts(chunks);
      const worker = "/_next/static/chunks/flow-test-worker.e3e200dcb11b3d70.js";
      expect(isTestWorkerScript(worker, built)).toBe(true);
      expect(isTestWorkerScript("/_next/static/chunks/app/page-e3e200dcb11b3d70.js", built)).toBe(false);
      expect(isTestWorkerScript("/_next/static/chunks/flow-test-worker.e3e2.js/../x.js", built)).toBe(false);
      expect(isTestWorkerScript(`/x${worker}`, built)).toBe(false);
      // The worker's shape with a hash this build does not have is Next's 404: it keeps the page's
      // policy (before, any hex name got 'wasm-unsafe-eval').
      expect(isTestWorkerScript("/_next/static/chunks/flow-test-worker.deadbeef.js", built)).toBe(false);
      expect(builtTestWorkerScripts(join(chunks, "missing")).size).toBe(0);
    } finally {
      rmSync(chunks, { recursive: true, force: true });
    }
  });

  it("adds WebAssembly compilation and nothing else to the strict policy", () => {
    const csp = testWorkerContentSecurityPolicy();
    const scriptSrc = csp
      .split(";")
      .map((d) => d.trim())
      .find((d) => d.startsWith("script-src"));
    expect(scriptSrc).toBe("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/'unsafe-eval'/);
  });
});
