import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { AnyNodeDefinition } from "./core/types";
import { nodeDescriptors } from "./definitions";
import { nodeRegistry } from "./registry";

const SRC = dirname(fileURLToPath(import.meta.url));
const CATEGORIES = ["input", "logic", "control", "output", "extension"] as const;

const nodeFiles = CATEGORIES.flatMap((category) =>
  readdirSync(join(SRC, category))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts")
    .map((file) => ({ category, file })),
);

function isDefinition(x: unknown): x is AnyNodeDefinition {
  return typeof x === "object" && x !== null && "type" in x && "execute" in x && "config" in x;
}

describe("registry", () => {
  it.each(nodeFiles)("$category/$file is registered under its own type id", async ({ category, file }) => {
    const module = (await import(`./${category}/${file.replace(/\.ts$/, "")}`)) as Record<string, unknown>;
    const definitions = Object.values(module).filter(isDefinition);
    expect(definitions).toHaveLength(1);
    const definition = definitions[0]!;
    expect(nodeRegistry.get(definition.type)).toBe(definition);
    expect(definition.category).toBe(category);
    expect(file).toBe(`${definition.type.replaceAll("_", "-")}.ts`);
  });

  it.each(nodeFiles)("$category/$file has a test file next to it", ({ category, file }) => {
    expect(readdirSync(join(SRC, category))).toContain(file.replace(/\.ts$/, ".test.ts"));
  });

  it("holds every node type the issue lists, with the seed's ids", () => {
    const required = [
      "sensor_read",
      "parameter",
      "constant",
      "trigger",
      "weekly_schedule",
      "point_status",
      "threshold",
      "and",
      "or",
      "not",
      "xor",
      "hysteresis",
      "select",
      "limit",
      "min",
      "max",
      "average",
      "math",
      "ramp",
      "moving_average",
      "change_detect",
      "conditional",
      "loop",
      "delay",
      "pid",
      "sequencer",
      "latch",
      "totalizer",
      "feedback",
      "actuator_write",
      "alert",
      "log",
      "script",
      "subflow",
    ];
    for (const type of required) expect(nodeRegistry.has(type), type).toBe(true);
    expect(nodeRegistry.size).toBe(nodeFiles.length);
  });

  it.each([...nodeRegistry.values()].map((d) => [d.type, d] as const))(
    "%s: examples are valid configs and every port name is unique",
    (_type, definition) => {
      for (const example of definition.examples ?? []) {
        const parsed = definition.config.safeParse(example.config);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
      const inputs = definition.inputs.map((p) => p.name);
      const outputs = definition.outputs.map((p) => p.name);
      expect(new Set(inputs).size).toBe(inputs.length);
      expect(new Set(outputs).size).toBe(outputs.length);
      expect(definition.description.length).toBeGreaterThan(80);
    },
  );

  it("the editor's descriptors carry no executors", () => {
    expect(nodeDescriptors).toHaveLength(nodeRegistry.size);
    for (const d of nodeDescriptors) expect("execute" in d).toBe(false);
  });

  // What a power cut loses is a decision per node type (docs/user-guide node state table): a new stateful
  // node must make it, not inherit the default unseen.
  it("every node type with state declares when its state is written", () => {
    const stateful = [...nodeRegistry.values()].filter((d) => d.initialState !== undefined);
    expect(stateful.length).toBeGreaterThan(10);
    const undeclared = stateful.filter((d) => d.statePersistence === undefined).map((d) => d.type);
    expect(undeclared).toEqual([]);
    const periodic = stateful.filter((d) => d.statePersistence === "periodic").map((d) => d.type);
    expect(periodic.sort()).toEqual(["limit", "log", "math", "moving_average", "pid", "ramp"]);
  });
});
