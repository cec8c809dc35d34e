import { type SubflowDefinition, SubflowDefinitionSchema } from "@bms/schemas";
import { AHU_SAT_RESET } from "./ahu-sat-reset";
import { LEAD_LAG_PUMPS } from "./lead-lag-pumps";
import { VAV_REHEAT } from "./vav-reheat";

export { AHU_SAT_RESET, LEAD_LAG_PUMPS, VAV_REHEAT };

/** The subflows every new project's library starts with, parsed (defaults filled in). */
export function starterSubflows(): SubflowDefinition[] {
  return [VAV_REHEAT, AHU_SAT_RESET, LEAD_LAG_PUMPS].map((def) => SubflowDefinitionSchema.parse(def));
}
