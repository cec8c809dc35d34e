import { describe, expect, it } from "vitest";
import { nodeRunner } from "../testing/node-runner";
import { constant } from "./constant";

describe("constant", () => {
  it.each([[15], [true], ["auto"]])("outputs %o, good", (value) => {
    expect(nodeRunner(constant, { value }).run().value).toMatchObject({ value, quality: "good" });
  });

  it("refuses NaN-like and structured values", () => {
    expect(constant.config.safeParse({ value: { a: 1 } }).success).toBe(false);
    expect(constant.config.safeParse({ value: null }).success).toBe(false);
  });
});
