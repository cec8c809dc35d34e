import { nodeCatalog } from "@bms/nodes/definitions";
import { type FlowConfiguration, type Validated, validateFlowConfiguration } from "@bms/schemas";

const catalog = nodeCatalog();
const results = new WeakMap<object, Validated<FlowConfiguration>>();

/**
 * `validateFlowConfiguration` with the node catalog, once per flow object: the editor checks the whole
 * project (site-check.ts) and then the open flow's configuration as that check answered it
 * (flow-validation.ts), which validated 2,000 nodes twice on opening a large flow. A flow object is never
 * changed after it is built (every edit makes a new document), so its result stays true; the parsed
 * value answers the same result as the flow it came from.
 */
export function validateFlowOnce(flow: unknown): Validated<FlowConfiguration> {
  const key = typeof flow === "object" && flow !== null ? flow : null;
  const known = key ? results.get(key) : undefined;
  if (known) return known;
  const result = validateFlowConfiguration(flow, catalog);
  if (key) results.set(key, result);
  if (result.ok) results.set(result.value, result);
  return result;
}
