import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { FlowTestCaseInput } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { demoProjectDocument } from "../starters/demo-export";
import { DEMO_FLOW_IDS } from "../starters/demo-site";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const run = promisify(execFile);

/** `pnpm flow-test <file> [...]` as an integrator's CI runs it, from the repository root. */
async function flowTest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("pnpm", ["--silent", "flow-test", ...args], {
      cwd: ROOT,
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The demo's VAV flows with one case that passes and one whose damper is expected open too soon. */
function vavProject(dir: string): string {
  const doc = demoProjectDocument();
  const warm = (doc.tests as FlowTestCaseInput[]).find((t) => t.id === "vav-cooling")!;
  const tooSoon: FlowTestCaseInput = {
    ...warm,
    id: "vav-too-soon",
    name: "The damper is open within a minute",
    expect: [{ ...warm.expect[0]!, label: "VAV-1 damper open within 60 s", to_s: 60 }],
  };
  const file = join(dir, "vav.json");
  writeFileSync(file, JSON.stringify({ ...doc, tests: [warm, tooSoon] }));
  return file;
}

describe("pnpm flow-test", () => {
  it("runs the demo site's test cases and ends with the summary line", async () => {
    const out = await flowTest("examples/demo-site.bms.json");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^(\d+) passed, 0 failed$/);
    expect(Number(/^(\d+)/.exec(lines.at(-1)!)![1])).toBe(demoProjectDocument().tests!.length);
    expect(out.stdout).toContain("AHU-1  (2 tests, 0 failed)");
    expect(out.stdout).toMatch(/PASS {2}A summer day.*\(86401 scans, 86400 s simulated in [\d.]+ s\)/);
  }, 90_000);

  it("exits 1 on a failing case with a readable diff, and writes JUnit XML", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-flow-test-"));
    const junit = join(dir, "report.xml");
    const out = await flowTest(vavProject(dir), "--junit", junit);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("VAV boxes  (2 tests, 1 failed)");
    expect(out.stdout).toContain("  FAIL  The damper is open within a minute  [vav-too-soon]");
    expect(out.stdout).toContain(
      "expected: bacnet:3001/analogOutput:1.presentValue ≥ 99 at some scan within 0–60 s, written at priority 16",
    );
    expect(out.stdout).toMatch(
      /actual: {3}never; [\d.]+ at 0 s → [\d.]+ at 60 s \(min [\d.]+ at 0 s, max [\d.]+ at 60 s\)/,
    );
    expect(out.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 1 failed");
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuites name="');
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toMatch(
      /<testcase classname="VAV boxes" name="The damper is open within a minute" time="[\d.]+">/,
    );
    expect(xml).toContain('<failure message="1 of 1 expectations failed">VAV-1 damper open within 60 s');
  }, 90_000);

  it("exits 2 naming the path of each problem in a file that is not a valid project", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-flow-test-"));
    const file = join(dir, "bad.json");
    const doc = demoProjectDocument();
    const broken = {
      ...doc,
      tests: [
        { ...(doc.tests as FlowTestCaseInput[])[0]!, flow_id: DEMO_FLOW_IDS.vav.replace("0002", "0099") },
      ],
    };
    writeFileSync(file, JSON.stringify(broken));
    const out = await flowTest(file);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("tests[0].flow_id: test case");
    expect((await flowTest(join(dir, "missing.json"))).stderr).toMatch(/cannot read .*missing\.json/);
    expect((await flowTest()).stderr).toContain("usage: pnpm flow-test");
  }, 90_000);
});
