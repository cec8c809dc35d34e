import type { ProjectDocumentInput } from "@bms/schemas";
import { DEMO_PROJECT, demoProject } from "./demo-site";
import { demoTestCases } from "./demo-tests";

/** The demo project's id as a Designer project (the export names it; importing gives it a new one). */
const DEMO_PROJECT_ID = "6d0e8f1a-1a2b-4c3d-8e4f-5a6b7c8d0000";

/** The demo site as a project document: its five flows, the starter library and its flow test cases. */
export function demoProjectDocument(): ProjectDocumentInput {
  const { flows, library } = demoProject();
  return {
    flows: flows.map((configuration) => ({ configuration, flow_data: { comments: [], groups: [] } })),
    library,
    tests: demoTestCases(),
  };
}

/**
 * examples/demo-site.bms.json: the demo site as the Designer exports a project (format version 2, one
 * version), so it imports into the Designer and `pnpm flow-test` runs its test cases. Regenerate it with
 * `pnpm --filter @bms/nodes export-demo-site`; a unit test fails when it is out of date.
 */
export function demoSiteExport(exportedAt = "2026-12-01T00:00:00.000Z") {
  return {
    format: "bms-designer-project",
    format_version: 2,
    exported_at: exportedAt,
    project: {
      name: DEMO_PROJECT.name,
      description:
        "The demo building (apps/simulator/src/sites/demo.json) with flow test cases for its sequences.",
      flow_id: DEMO_PROJECT_ID,
    },
    versions: [
      {
        version: 1,
        summary: "Demo site with flow test cases",
        created_by: "demo",
        created_at: exportedAt,
        document: demoProjectDocument(),
      },
    ],
    templates: [],
  };
}
