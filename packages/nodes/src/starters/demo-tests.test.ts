import { readFileSync } from "node:fs";
import { ProjectDocumentSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { readTestedProject } from "../flow-test/project-file";
import { textReport } from "../flow-test/report";
import { runProjectTests } from "../flow-test/run-flow-tests";
import { demoProjectDocument, demoSiteExport } from "./demo-export";

const EXAMPLE = new URL("../../../../examples/demo-site.bms.json", import.meta.url);

describe("demo site test cases", () => {
  it("cover every flow of the demo site, and every one passes", async () => {
    const doc = ProjectDocumentSchema.parse(demoProjectDocument());
    const tested = new Set(doc.tests!.map((t) => t.flow_id));
    expect(doc.flows.every((f) => tested.has(f.configuration.metadata.flow_id))).toBe(true);
    const { problems, results } = await runProjectTests(doc);
    expect(problems).toEqual([]);
    const report = textReport(results);
    expect(
      results.filter((r) => !r.passed),
      report,
    ).toEqual([]);
    expect(report.trimEnd().split("\n").at(-1)).toBe(`${results.length} passed, 0 failed`);
  }, 60_000);

  it("ship in examples/demo-site.bms.json, a Designer export kept up to date with the demo", () => {
    const file = JSON.parse(readFileSync(EXAMPLE, "utf8"));
    // Out of date: run `pnpm --filter @bms/nodes export-demo-site`.
    expect(file).toEqual(JSON.parse(JSON.stringify(demoSiteExport())));
    const read = readTestedProject(file);
    expect(read.ok && read.value.tests?.length).toBe(demoProjectDocument().tests!.length);
  });
});
