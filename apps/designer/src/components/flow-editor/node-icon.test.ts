import { nodeDescriptors } from "@bms/nodes/definitions";
import { icons } from "lucide-react";
import { describe, expect, it } from "vitest";
import { NODE_ICONS } from "./node-icon";

describe("node icons imported one by one", () => {
  it("has every node type's icon, so none falls back to a box", () => {
    const missing = nodeDescriptors.filter((d) => !(d.icon in NODE_ICONS)).map((d) => `${d.type}: ${d.icon}`);
    expect(missing).toEqual([]);
  });

  it("draws each name with lucide's icon of that name (or its current name after a rename)", () => {
    const pascal = (name: string) =>
      name
        .split("-")
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join("");
    const renamed: Record<string, string> = { "gauge-circle": "CircleGauge" };
    for (const [name, icon] of Object.entries(NODE_ICONS))
      expect(icon, name).toBe(icons[(renamed[name] ?? pascal(name)) as keyof typeof icons]);
  });
});
