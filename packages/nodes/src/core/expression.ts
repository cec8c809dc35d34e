/**
 * Safe expressions for `math`, `log` and alert templates.
 *
 * jsep (a maintained parser) turns the text into an AST; this file compiles that AST into closures over a
 * whitelist: number/boolean/string literals, variables, arithmetic, comparison, logic, the ternary and a
 * fixed set of functions. Anything else (member access, `this`, arrays, assignments, bitwise operators,
 * unknown functions) is refused at compile time, so nothing can reach a global, a prototype or a
 * constructor. Variables are resolved by the caller through a function (never by indexing an object
 * with a user-chosen key). No eval, new Function or node:vm anywhere.
 */

import type { Quality } from "@bms/schemas";
import jsep from "jsep";
import { z } from "zod";
import type { NodeValue } from "./types";
import { worstQuality } from "./values";

export type ExprValue = number | boolean | string;

/** Keeps parsing and evaluation bounded whatever a user types. */
export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_EXPRESSION_DEPTH = 48;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

class ExpressionError extends Error {}

type Evaluator = (vars: readonly ExprValue[]) => ExprValue;

function num(x: ExprValue, what: string): number {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  throw new ExpressionError(`${what} needs a number, got the text "${x}"`);
}

function truthy(x: ExprValue): boolean {
  if (typeof x === "boolean") return x;
  if (typeof x === "number") return x !== 0;
  throw new ExpressionError(`a condition needs a boolean or number, got the text "${x}"`);
}

function equal(a: ExprValue, b: ExprValue): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return num(a, "==") === num(b, "==");
}

interface FunctionSpec {
  min: number;
  max: number;
  /** Lazy functions get evaluators so `if` only evaluates the branch it takes. */
  call(args: readonly Evaluator[], vars: readonly ExprValue[]): ExprValue;
}

const eager =
  (name: string, fn: (...xs: number[]) => number) =>
  (args: readonly Evaluator[], vars: readonly ExprValue[]): ExprValue =>
    fn(...args.map((a) => num(a(vars), `${name}()`)));

const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ["abs", { min: 1, max: 1, call: eager("abs", Math.abs) }],
  ["min", { min: 1, max: 64, call: eager("min", Math.min) }],
  ["max", { min: 1, max: 64, call: eager("max", Math.max) }],
  ["avg", { min: 1, max: 64, call: eager("avg", (...xs) => xs.reduce((s, x) => s + x, 0) / xs.length) }],
  [
    "round",
    {
      min: 1,
      max: 2,
      call: eager("round", (x, digits = 0) => {
        const f = 10 ** Math.max(0, Math.min(10, Math.trunc(digits)));
        return Math.round(x * f) / f;
      }),
    },
  ],
  ["floor", { min: 1, max: 1, call: eager("floor", Math.floor) }],
  ["ceil", { min: 1, max: 1, call: eager("ceil", Math.ceil) }],
  ["trunc", { min: 1, max: 1, call: eager("trunc", Math.trunc) }],
  ["sign", { min: 1, max: 1, call: eager("sign", Math.sign) }],
  ["sqrt", { min: 1, max: 1, call: eager("sqrt", Math.sqrt) }],
  ["pow", { min: 2, max: 2, call: eager("pow", Math.pow) }],
  ["exp", { min: 1, max: 1, call: eager("exp", Math.exp) }],
  ["ln", { min: 1, max: 1, call: eager("ln", Math.log) }],
  ["log10", { min: 1, max: 1, call: eager("log10", Math.log10) }],
  [
    "clamp",
    {
      min: 3,
      max: 3,
      call: eager("clamp", (x, lo, hi) => Math.min(Math.max(x, lo), hi)),
    },
  ],
  [
    "if",
    {
      min: 3,
      max: 3,
      call: (args, vars) => (truthy(args[0]!(vars)) ? args[1]!(vars) : args[2]!(vars)),
    },
  ],
]);

export const EXPRESSION_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys()];

const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["PI", Math.PI],
  ["E", Math.E],
]);

const BINARY: ReadonlyMap<string, (a: ExprValue, b: ExprValue) => ExprValue> = new Map<
  string,
  (a: ExprValue, b: ExprValue) => ExprValue
>([
  ["+", (a, b) => num(a, "+") + num(b, "+")],
  ["-", (a, b) => num(a, "-") - num(b, "-")],
  ["*", (a, b) => num(a, "*") * num(b, "*")],
  ["/", (a, b) => num(a, "/") / num(b, "/")],
  ["%", (a, b) => num(a, "%") % num(b, "%")],
  ["**", (a, b) => num(a, "**") ** num(b, "**")],
  ["<", (a, b) => num(a, "<") < num(b, "<")],
  [">", (a, b) => num(a, ">") > num(b, ">")],
  ["<=", (a, b) => num(a, "<=") <= num(b, "<=")],
  [">=", (a, b) => num(a, ">=") >= num(b, ">=")],
  ["==", equal],
  ["===", equal],
  ["!=", (a, b) => !equal(a, b)],
  ["!==", (a, b) => !equal(a, b)],
]);

const REFUSED_BINARY: Record<string, string> = {
  "^": "'^' is not a power here: use ** or pow()",
  "|": "bitwise operators are not supported: use ||",
  "&": "bitwise operators are not supported: use &&",
};

type Ast = jsep.Expression;

interface CompileScope {
  variables: string[];
  index: Map<string, number>;
}

function variableName(raw: string): string {
  // `$temp` is the seed's way of naming a value; it means the variable `temp`.
  const name = raw.startsWith("$") ? raw.slice(1) : raw;
  if (!NAME.test(name)) throw new ExpressionError(`"${raw}" is not a valid variable name`);
  return name;
}

function compileNode(node: Ast, scope: CompileScope, depth: number): Evaluator {
  if (depth > MAX_EXPRESSION_DEPTH) throw new ExpressionError(`nested deeper than ${MAX_EXPRESSION_DEPTH}`);
  switch (node.type) {
    case "Literal": {
      const value = (node as jsep.Literal).value;
      if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") {
        return () => value;
      }
      throw new ExpressionError("only number, true/false and text literals are allowed");
    }
    case "Identifier": {
      const raw = (node as jsep.Identifier).name;
      const constant = CONSTANTS.get(raw);
      if (constant !== undefined) return () => constant;
      if (FUNCTIONS.has(raw)) throw new ExpressionError(`${raw} is a function: call it as ${raw}(...)`);
      const name = variableName(raw);
      let slot = scope.index.get(name);
      if (slot === undefined) {
        slot = scope.variables.length;
        scope.variables.push(name);
        scope.index.set(name, slot);
      }
      const at = slot;
      return (vars) => vars[at]!;
    }
    case "UnaryExpression": {
      const { operator, argument } = node as jsep.UnaryExpression;
      const arg = compileNode(argument, scope, depth + 1);
      if (operator === "-") return (vars) => -num(arg(vars), "-");
      if (operator === "+") return (vars) => num(arg(vars), "+");
      if (operator === "!") return (vars) => !truthy(arg(vars));
      throw new ExpressionError(`operator ${operator} is not allowed`);
    }
    case "BinaryExpression": {
      const { operator, left, right } = node as jsep.BinaryExpression;
      const l = compileNode(left, scope, depth + 1);
      const r = compileNode(right, scope, depth + 1);
      if (operator === "&&") return (vars) => truthy(l(vars)) && truthy(r(vars));
      if (operator === "||") return (vars) => truthy(l(vars)) || truthy(r(vars));
      const op = BINARY.get(operator);
      if (!op) throw new ExpressionError(REFUSED_BINARY[operator] ?? `operator ${operator} is not allowed`);
      return (vars) => op(l(vars), r(vars));
    }
    case "ConditionalExpression": {
      const { test, consequent, alternate } = node as jsep.ConditionalExpression;
      const t = compileNode(test, scope, depth + 1);
      const c = compileNode(consequent, scope, depth + 1);
      const a = compileNode(alternate, scope, depth + 1);
      return (vars) => (truthy(t(vars)) ? c(vars) : a(vars));
    }
    case "CallExpression": {
      const { callee, arguments: args } = node as jsep.CallExpression;
      if (callee.type !== "Identifier") throw new ExpressionError("only the listed functions can be called");
      const name = (callee as jsep.Identifier).name;
      const spec = FUNCTIONS.get(name);
      if (!spec) {
        throw new ExpressionError(`unknown function ${name}(); allowed: ${EXPRESSION_FUNCTIONS.join(", ")}`);
      }
      if (args.length < spec.min || args.length > spec.max) {
        const arity = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
        throw new ExpressionError(`${name}() takes ${arity} argument(s), got ${args.length}`);
      }
      const compiled = args.map((a) => compileNode(a, scope, depth + 1));
      return (vars) => spec.call(compiled, vars);
    }
    case "MemberExpression":
      throw new ExpressionError("property access (a.b, a[b]) is not allowed");
    case "ThisExpression":
      throw new ExpressionError("'this' is not allowed");
    default:
      throw new ExpressionError(`${node.type} is not allowed in an expression`);
  }
}

export interface CompiledExpression {
  source: string;
  /** Variable names the expression reads, `$` stripped, in first-use order. */
  variables: readonly string[];
  evaluate(resolve: (name: string) => NodeValue | undefined): ExpressionResult;
}

export type ExpressionResult =
  | { ok: true; value: ExprValue; quality: Quality; reason?: string }
  | { ok: false; error: string; quality: "bad" };

export type CompileResult = { ok: true; expression: CompiledExpression } | { ok: false; error: string };

function message(e: unknown): string {
  if (e instanceof ExpressionError) return e.message;
  if (e instanceof RangeError) return "expression is too deeply nested";
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Why a variable cannot be used, or undefined when its value is a usable scalar. */
function unusable(name: string, v: NodeValue | undefined): string | undefined {
  if (v === undefined) return `unknown variable '${name}'`;
  if (v.quality === "bad") return v.reason ?? `'${name}' is bad`;
  const x = v.value;
  if (typeof x === "number") return Number.isFinite(x) ? undefined : `'${name}' is not a finite number`;
  if (typeof x === "boolean" || typeof x === "string") return undefined;
  return `'${name}' has no value`;
}

export function compileExpression(source: string): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, error: `expression is longer than ${MAX_EXPRESSION_LENGTH} characters` };
  }
  if (source.trim() === "") return { ok: false, error: "expression is empty" };
  let root: Evaluator;
  const scope: CompileScope = { variables: [], index: new Map() };
  try {
    const ast = jsep(source);
    root = compileNode(ast, scope, 0);
  } catch (e) {
    return { ok: false, error: message(e) };
  }
  const variables = scope.variables;
  const values: ExprValue[] = new Array(variables.length);
  const inputs: (NodeValue | undefined)[] = new Array(variables.length);
  return {
    ok: true,
    expression: {
      source,
      variables,
      evaluate(resolve) {
        for (let i = 0; i < variables.length; i++) {
          const name = variables[i]!;
          const v = resolve(name);
          const error = unusable(name, v);
          if (error !== undefined) return { ok: false, quality: "bad", error };
          values[i] = v!.value as ExprValue;
          inputs[i] = v;
        }
        let value: ExprValue;
        try {
          value = root(values);
        } catch (e) {
          return { ok: false, quality: "bad", error: message(e) };
        }
        if (typeof value === "number" && !Number.isFinite(value)) {
          return { ok: false, quality: "bad", error: "result is not a finite number (division by zero?)" };
        }
        const quality = worstQuality(inputs);
        if (quality === "good") return { ok: true, value, quality };
        const reason = inputs.find((x) => x && x.quality !== "good" && x.reason)?.reason;
        return reason ? { ok: true, value, quality, reason } : { ok: true, value, quality };
      },
    },
  };
}

const cache = new Map<string, CompileResult>();
const CACHE_LIMIT = 1000;

/** Compiles once per distinct text: a flow evaluates the same expressions every scan. */
export function cachedExpression(source: string): CompileResult {
  let hit = cache.get(source);
  if (hit === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    hit = compileExpression(source);
    cache.set(source, hit);
  }
  return hit;
}

/** A config field holding an expression: checked when the flow is validated, so the editor shows errors. */
export const ExpressionSchema = z
  .string()
  .min(1)
  .max(MAX_EXPRESSION_LENGTH)
  .superRefine((text, ctx) => {
    const compiled = cachedExpression(text);
    if (!compiled.ok) ctx.addIssue({ code: "custom", message: compiled.error });
  });
