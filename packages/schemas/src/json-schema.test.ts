import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { jsonSchemaDocuments } from "./json-schema";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "json-schema");

describe("exported JSON Schema", () => {
  it.each(Object.entries(jsonSchemaDocuments()))(
    "%s.schema.json is current (run `pnpm schemas`)",
    (name, doc) => {
      const committed = JSON.parse(readFileSync(join(dir, `${name}.schema.json`), "utf8"));
      expect(committed).toEqual(doc);
    },
  );

  it("describes the deployment package for tools outside TypeScript", () => {
    const doc = jsonSchemaDocuments()["deployment-package"] as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(doc.required).toEqual(
      expect.arrayContaining(["project_id", "project_name", "configuration", "created_at", "checksum"]),
    );
    expect(Object.keys(doc.properties)).toContain("bacnet_objects");
  });
});
