import { z } from "zod";
import { nodeDescriptors } from "../definitions";

export type JsonSchema = Record<string, unknown>;

/**
 * Each node type's config as JSON Schema, for tools outside TypeScript. `io: "input"` describes what an
 * integrator may write (fields with defaults are optional); refinements that JSON Schema cannot express
 * (expression syntax, sub-flow compilation) are checked by the engine.
 */
export function nodeConfigSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const d of [...nodeDescriptors].sort((a, b) => (a.type < b.type ? -1 : 1))) {
    out[d.type] = {
      $id: `https://bms-supervisor.local/schemas/nodes/${d.type}.schema.json`,
      title: `${d.label} (${d.type}) config, version ${d.version}`,
      ...(z.toJSONSchema(d.config, { io: "input", unrepresentable: "any" }) as JsonSchema),
    };
  }
  return out;
}
