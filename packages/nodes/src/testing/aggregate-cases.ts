import { describe, expect, it } from "vitest";
import type { AnyNodeDefinition } from "../core/types";
import { type InputSpec, nodeRunner, v } from "./node-runner";

/**
 * The cases every aggregate node (Minimum, Maximum, Average) must pass, over the values 9, 1 and 5:
 * `expected` is what the node reduces them to, which is all that tells the three apart.
 */
export function describeAggregate(definition: AnyNodeDefinition, expected: number): void {
  describe(definition.type, () => {
    it("over N inputs", () => {
      const out = nodeRunner(definition).run({ inputs: [9, 1, 5] });
      expect(out.value).toMatchObject({ value: expected, quality: "good" });
      expect(out.count?.value).toBe(3);
    });

    it("over a list input (a loop's results) mixed with a scalar", () => {
      expect(nodeRunner(definition).run({ inputs: [[9, 1], 5] }).value?.value).toBe(expected);
    });

    const bad: [string, InputSpec[], string][] = [
      ["a bad input is left out (uncertain)", [9, 1, 5, v(100, "bad")], "uncertain"],
      ["null and NaN are left out", [9, null, 1, Number.NaN, 5], "uncertain"],
    ];
    it.each(bad)("%s", (_name, inputs, quality) => {
      const out = nodeRunner(definition).run({ inputs });
      expect(out.value).toMatchObject({ value: expected, quality });
      expect(out.count?.value).toBe(3);
    });

    it("propagate makes any bad input bad", () => {
      const out = nodeRunner(definition, { on_bad_input: "propagate" }).run({ inputs: [1, v(2, "bad")] });
      expect(out.value).toMatchObject({ value: null, quality: "bad" });
    });

    it("nothing usable is bad", () => {
      expect(nodeRunner(definition).run({ inputs: [null, []] }).value?.quality).toBe("bad");
    });
  });
}
