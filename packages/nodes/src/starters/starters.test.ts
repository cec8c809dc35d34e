import { SubflowDefinitionSchema } from "@bms/schemas";
import { describe, expect, it } from "vitest";
import { lookupNode } from "../registry";
import { AHU_SAT_RESET, LEAD_LAG_PUMPS, starterSubflows, VAV_REHEAT } from "./index";

describe("starter subflows", () => {
  it.each([VAV_REHEAT, AHU_SAT_RESET, LEAD_LAG_PUMPS])("$name is a valid library definition", (def) => {
    const parsed = SubflowDefinitionSchema.safeParse(def);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it("are built only from library nodes (no scripts), and every declared point and parameter is used", () => {
    for (const def of starterSubflows()) {
      const types = def.flow.nodes.map((n) => n.type);
      expect(
        types.filter((t) => lookupNode(t) === undefined),
        def.id,
      ).toEqual([]);
      expect(types, def.id).not.toContain("script");
      const text = JSON.stringify(def.flow);
      for (const p of def.points) expect(text, `${def.id} point ${p.key}`).toContain(`{{point:${p.key}}}`);
      for (const p of def.parameters)
        expect(text, `${def.id} parameter ${p.key}`).toContain(`{{param:${p.key}}}`);
    }
  });
});
