import { demoProject } from "@bms/nodes/starters";
import { FlowConfigurationStructureSchema, type ProjectDocument } from "@bms/schemas";
import { EMPTY_FLOW_DATA } from "./flow-document";

/**
 * The quick start's project: the demo building as a site of five flows built from the starter library
 * (packages/nodes/src/starters/demo-site.ts): AHU-1 every second, the ten VAV boxes as ten instances of
 * "VAV cooling with reheat" every 5 s, the chilled- and hot-water plants' lead/lag pumps every second, and
 * the lighting schedule every minute. It is the very site the supervisor deploys on its first start, under
 * the same project id, so deploying it from the Designer is a redeploy of the same project: unchanged flows
 * keep running, and nothing asks to "replace" another project.
 */
export function demoSiteDocument(): ProjectDocument {
  const { flows, library } = demoProject();
  return {
    flows: flows.map((f) => ({
      configuration: FlowConfigurationStructureSchema.parse(f),
      flow_data: EMPTY_FLOW_DATA,
    })),
    library,
  };
}
