import type { FlowTestResult } from "./run-flow-tests";

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Results grouped by flow, in the order their first case ran. */
function byFlow(results: readonly FlowTestResult[]): Map<string, FlowTestResult[]> {
  const groups = new Map<string, FlowTestResult[]>();
  for (const r of results) groups.set(r.flowName, [...(groups.get(r.flowName) ?? []), r]);
  return groups;
}

/**
 * The console summary, JUnit-style: a suite per flow, a line per case with its scans and time, the
 * expected/actual lines of every failed expectation, and last the line CI logs are read for:
 * `N passed, M failed`.
 */
export function textReport(results: readonly FlowTestResult[]): string {
  const lines: string[] = [];
  for (const [flow, cases] of byFlow(results)) {
    const failed = cases.filter((c) => !c.passed).length;
    lines.push(`${flow}  (${cases.length} tests, ${failed} failed)`);
    for (const c of cases) {
      const span = `${c.scans} scans, ${c.simulatedS} s simulated in ${seconds(c.elapsedMs)}`;
      lines.push(`  ${c.passed ? "PASS" : "FAIL"}  ${c.name}  [${c.id}]  (${span})`);
      if (c.error) lines.push(`        error:    ${c.error}`);
      for (const e of c.expectations.filter((x) => !x.passed)) {
        lines.push(`        ${e.label}`);
        for (const d of e.diff) lines.push(`          ${d}`);
      }
    }
    lines.push("");
  }
  const passed = results.filter((r) => r.passed).length;
  lines.push(`${passed} passed, ${results.length - passed} failed`);
  return `${lines.join("\n")}\n`;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JUnit XML (the format CI servers read): a testsuite per flow, a testcase per test case. */
export function junitXml(results: readonly FlowTestResult[], name: string): string {
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  const failures = results.filter((r) => !r.passed).length;
  const total = results.reduce((s, r) => s + r.elapsedMs, 0);
  out.push(
    `<testsuites name="${xml(name)}" tests="${results.length}" failures="${failures}" time="${(total / 1000).toFixed(3)}">`,
  );
  for (const [flow, cases] of byFlow(results)) {
    const f = cases.filter((c) => !c.passed).length;
    const t = cases.reduce((s, r) => s + r.elapsedMs, 0);
    out.push(
      `  <testsuite name="${xml(flow)}" tests="${cases.length}" failures="${f}" time="${(t / 1000).toFixed(3)}">`,
    );
    for (const c of cases) {
      const open = `    <testcase classname="${xml(flow)}" name="${xml(c.name)}" time="${(c.elapsedMs / 1000).toFixed(3)}"`;
      if (c.passed) {
        out.push(`${open}/>`);
        continue;
      }
      const failed = c.expectations.filter((e) => !e.passed);
      const message = c.error ?? `${failed.length} of ${c.expectations.length} expectations failed`;
      const body = [
        ...(c.error ? [c.error] : []),
        ...failed.flatMap((e) => [e.label, ...e.diff.map((d) => `  ${d}`)]),
      ].join("\n");
      out.push(
        `${open}>`,
        `      <failure message="${xml(message)}">${xml(body)}</failure>`,
        "    </testcase>",
      );
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
