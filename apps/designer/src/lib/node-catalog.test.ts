import { nodeDescriptors } from "@bms/nodes/definitions";
import { describe, expect, it } from "vitest";
import { type PortType, paletteGroups, portsCompatible } from "./node-catalog";

describe("port type checks", () => {
  const types: PortType[] = ["number", "boolean", "string", "list", "any"];
  it.each(types.flatMap((from) => types.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    const expected = from === "any" || to === "any" || from === to;
    expect(portsCompatible(from, to)).toBe(expected);
  });
});

describe("palette", () => {
  it("holds every node type of the library exactly once, grouped by category", () => {
    const listed = paletteGroups().flatMap((g) => g.items.map((i) => i.type));
    expect(listed.sort()).toEqual(nodeDescriptors.map((d) => d.type).sort());
  });

  it("filters by label, type and description", () => {
    const found = paletteGroups("actuator").flatMap((g) => g.items.map((i) => i.type));
    expect(found).toContain("actuator_write");
    expect(found).not.toContain("sensor_read");
    expect(paletteGroups("no such node at all")).toEqual([]);
  });
});
