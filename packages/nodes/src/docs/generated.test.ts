import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import "../registry";
import { nodeConfigSchemas } from "./config-schemas";
import { renderNodeReference } from "./node-reference";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

describe("generated files are up to date (regenerate with the command in each message)", () => {
  it("docs/nodes.md", () => {
    const committed = readFileSync(join(ROOT, "docs", "nodes.md"), "utf8");
    expect(
      committed === renderNodeReference(),
      "docs/nodes.md is stale: run pnpm --filter @bms/nodes docs",
    ).toBe(true);
  });

  it("packages/schemas/json-schema/nodes/*.schema.json", () => {
    const dir = join(ROOT, "packages", "schemas", "json-schema", "nodes");
    const schemas = nodeConfigSchemas();
    const files = readdirSync(dir).filter((f) => f.endsWith(".schema.json"));
    const stale = "node config schemas are stale: run pnpm --filter @bms/nodes export-schemas";
    expect(files.sort(), stale).toEqual(
      Object.keys(schemas)
        .map((t) => `${t}.schema.json`)
        .sort(),
    );
    for (const [type, schema] of Object.entries(schemas)) {
      expect(JSON.parse(readFileSync(join(dir, `${type}.schema.json`), "utf8")), stale).toEqual(schema);
    }
  });

  it("documents every node with its ports, config and an example", () => {
    const doc = renderNodeReference();
    for (const type of Object.keys(nodeConfigSchemas())) expect(doc).toContain(`— \`${type}\``);
    expect(doc).toContain("| `kp` | number | `10` | ≥ 0, ≤ 1000000 |");
    expect(doc).toContain('"type": "math"');
  });
});
