// Writes each node type's config JSON Schema to packages/schemas/json-schema/nodes/<type>.schema.json.
// Run: pnpm --filter @bms/nodes export-schemas
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import "../src/registry";
import { nodeConfigSchemas } from "../src/docs/config-schemas";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "schemas", "json-schema", "nodes");
mkdirSync(outDir, { recursive: true });
const schemas = nodeConfigSchemas();
// A removed node type must not leave its schema behind.
for (const file of readdirSync(outDir)) {
  if (file.endsWith(".schema.json") && !(file.replace(".schema.json", "") in schemas))
    rmSync(join(outDir, file));
}
for (const [type, schema] of Object.entries(schemas)) {
  writeFileSync(join(outDir, `${type}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(schemas).length} schemas to ${outDir}`);
