import { describe, expect, it } from "vitest";
import { PerList } from "./per-list";

describe("PerList", () => {
  it("works a list out once, and again when the list changed in place or is another list", () => {
    let made = 0;
    const lengths = new PerList((list: readonly string[]) => {
      made++;
      return list.join("+");
    });
    const list = ["a", "b"];
    expect(lengths.get(list)).toBe("a+b");
    expect(lengths.get(list)).toBe("a+b");
    expect(made).toBe(1);
    list[1] = "c";
    expect(lengths.get(list)).toBe("a+c");
    expect(made).toBe(2);
    expect(lengths.get(["a", "c"])).toBe("a+c");
    expect(made).toBe(3);
  });

  it("remembers a frozen list as it is: the same list is answered, an equal one is another list", () => {
    let made = 0;
    const joined = new PerList((list: readonly string[]) => {
      made++;
      return list.join("+");
    });
    const list = Object.freeze(["a", "b"]);
    expect(joined.get(list)).toBe("a+b");
    expect(joined.get(list)).toBe("a+b");
    expect(made).toBe(1);
    expect(joined.get(Object.freeze(["a", "b"]))).toBe("a+b");
    expect(made).toBe(2);
  });

  it("works it out again when the remembered answer no longer holds", () => {
    let generation = 1;
    const routed = new PerList((list: readonly number[]) => ({
      generation,
      sum: list.reduce((a, b) => a + b, 0),
    }));
    const list = [1, 2];
    expect(routed.get(list, (r) => r.generation === generation).generation).toBe(1);
    generation = 2;
    expect(routed.get(list, (r) => r.generation === generation)).toEqual({ generation: 2, sum: 3 });
  });
});
