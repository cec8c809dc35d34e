// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are alert templates, ${} is their syntax
import { describe, expect, it } from "vitest";
import { compileExpression, type ExprValue, MAX_EXPRESSION_LENGTH } from "./expression";
import type { NodeValue } from "./types";

const good = (value: NodeValue["value"]): NodeValue => ({ value, quality: "good", timestamp: 0 });

function evaluate(source: string, vars: Record<string, NodeValue["value"] | NodeValue> = {}) {
  const compiled = compileExpression(source);
  if (!compiled.ok) return { compileError: compiled.error };
  const map = new Map(
    Object.entries(vars).map(([k, x]) => [
      k,
      typeof x === "object" && x !== null && "quality" in x ? x : good(x),
    ]),
  );
  return compiled.expression.evaluate((name) => map.get(name));
}

describe("expressions: what integrators write", () => {
  const cases: [string, Record<string, ExprValue>, ExprValue][] = [
    ["a * 1.8 + 32", { a: 20 }, 68],
    ["$temp - 2", { temp: 23 }, 21],
    ["(a + b) / 2", { a: 20, b: 22 }, 21],
    ["2 ** 3 ** 2", {}, 512],
    ["10 % 4", {}, 2],
    ["-a", { a: 5 }, -5],
    ["a > 24 && b", { a: 25, b: true }, true],
    ["a > 24 || b", { a: 20, b: false }, false],
    ["!a", { a: false }, true],
    ["a ? 1 : 2", { a: true }, 1],
    ["a == 'auto' ? 1 : 0", { a: "auto" }, 1],
    ["a != 1", { a: true }, false],
    ["abs(-3) + min(4, 2, 8) + max(1, 9)", {}, 14],
    ["round(21.456, 1)", {}, 21.5],
    ["round(2.5)", {}, 3],
    ["floor(2.7) + ceil(2.1) + trunc(-2.7) + sign(-4)", {}, 2],
    ["sqrt(16) + pow(2, 10)", {}, 1028],
    ["clamp(a, 0, 100)", { a: 140 }, 100],
    ["clamp(a, 0, 100)", { a: -3 }, 0],
    ["if(a > 1, 10, 20)", { a: 0 }, 20],
    ["avg(1, 2, 3, 6)", {}, 3],
    ["round(exp(ln(5)), 6) + log10(1000)", {}, 8],
    ["round(PI, 2) + round(E, 1)", {}, 5.84],
    ["true + 1", {}, 2],
  ];
  it.each(cases)("%s with %o = %o", (source, vars, expected) => {
    const result = evaluate(source, vars);
    expect(result).toMatchObject({ ok: true, value: expected });
  });

  it("lists its variables once each, $ stripped", () => {
    const compiled = compileExpression("$a + b * a - sqrt(b)");
    expect(compiled.ok && compiled.expression.variables).toEqual(["a", "b"]);
  });

  it("evaluates only the branch if() takes (no error from the other one)", () => {
    expect(evaluate("if(a > 0, 1 / a, 'x' * 2)", { a: 2 })).toMatchObject({ ok: true, value: 0.5 });
  });
});

describe("expressions: bad values and runtime errors fail as values", () => {
  const cases: [string, Record<string, NodeValue["value"] | NodeValue>, RegExp][] = [
    ["a + 1", {}, /unknown variable 'a'/],
    ["a + 1", { a: null }, /'a' has no value/],
    ["a + 1", { a: Number.NaN }, /not a finite number/],
    ["a + 1", { a: { value: 3, quality: "bad", timestamp: 0, reason: "timeout" } }, /timeout/],
    ["1 / a", { a: 0 }, /not a finite number/],
    ["a * 2", { a: "text" }, /needs a number/],
    ["sqrt(a)", { a: -1 }, /not a finite number/],
    ["a ? 1 : 2", { a: "x" }, /condition/],
    ["a + 1", { a: [1, 2] }, /has no value/],
  ];
  it.each(cases)("%s with %o", (source, vars, error) => {
    const result = evaluate(source, vars);
    expect(result).toMatchObject({ ok: false, quality: "bad" });
    expect((result as { error: string }).error).toMatch(error);
  });

  it("an uncertain input gives an uncertain result with its reason", () => {
    const result = evaluate("a + 1", {
      a: { value: 1, quality: "uncertain", timestamp: 0, reason: "stale" },
    });
    expect(result).toEqual({ ok: true, value: 2, quality: "uncertain", reason: "stale" });
  });
});

describe("expressions: hostile input is refused cleanly (fuzz)", () => {
  const hostile = [
    'constructor.constructor("return process")()',
    "this.constructor",
    "this",
    "a.__proto__",
    "a['__proto__']",
    "__proto__.polluted = 1",
    "a.constructor.prototype",
    "Function('return 1')()",
    "eval('1')",
    "process.exit(1)",
    "globalThis",
    "require('fs')",
    "import('fs')",
    "a = 1",
    "a; b",
    "[1, 2, 3]",
    "a ^ 2",
    "a | b",
    "a ?? b",
    "new Date()",
    "`${a}`",
    "(() => 1)()",
    "x => x",
    "toString()",
    "valueOf()",
    "a.b.c.d",
    "min",
    "",
    "   ",
    "1 +",
    ")(",
    "'unterminated",
    "1".repeat(MAX_EXPRESSION_LENGTH + 1),
    `${"(".repeat(200)}1${")".repeat(200)}`,
    `${"-".repeat(500)}1`,
    `${"f(".repeat(100)}1${")".repeat(100)}`,
    `${"a+".repeat(900)}a`,
  ];
  it.each(hostile.map((h) => [h.length > 60 ? `${h.slice(0, 60)}… (${h.length} chars)` : h, h]))(
    "%s",
    (_label, source) => {
      const compiled = compileExpression(source);
      if (compiled.ok) {
        // Parsed only because it is harmless arithmetic or names: evaluation must then fail or be a scalar.
        const result = compiled.expression.evaluate(() => undefined);
        if (result.ok) expect(["number", "boolean", "string"]).toContain(typeof result.value);
        else expect(result.error).toEqual(expect.any(String));
      } else {
        expect(compiled.error).toEqual(expect.any(String));
        expect(compiled.error.length).toBeGreaterThan(0);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it("names such as __proto__ and constructor are plain variables looked up by the caller", () => {
    const seen: string[] = [];
    for (const source of ["__proto__", "constructor", "prototype", "hasOwnProperty"]) {
      const compiled = compileExpression(source);
      if (!compiled.ok) continue;
      const result = compiled.expression.evaluate((name) => {
        seen.push(name);
        return undefined;
      });
      expect(result.ok).toBe(false);
    }
    expect(seen).not.toContain("__proto__");
    expect(seen).toContain("constructor");
  });

  it("random garbage never throws", () => {
    const alphabet = "ab1.()+-*/%!<>=&|?:'\"[]{},;$_ xyz\\";
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 2000; i++) {
      let s = "";
      const n = 1 + Math.floor(rand() * 30);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      expect(() => {
        const compiled = compileExpression(s);
        if (compiled.ok) compiled.expression.evaluate(() => good(1));
      }).not.toThrow();
    }
  });
});
