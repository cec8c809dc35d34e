// Writes docs/nodes.md (the node reference) from the definitions. Run: pnpm --filter @bms/nodes docs
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import "../src/registry";
import { renderNodeReference } from "../src/docs/node-reference";

export const NODE_REFERENCE_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "docs",
  "nodes.md",
);

writeFileSync(NODE_REFERENCE_PATH, renderNodeReference());
console.log(`wrote ${NODE_REFERENCE_PATH}`);
