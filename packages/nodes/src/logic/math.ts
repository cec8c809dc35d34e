import { z } from "zod";
import { BadInputPolicySchema, badOutput, FallbackSchema } from "../core/bad-input";
import { cachedExpression, EXPRESSION_FUNCTIONS, ExpressionSchema } from "../core/expression";
import { portGroup } from "../core/port-groups";
import { defineNode, type NodeValue } from "../core/types";

const PORTS = ["a", "b", "c", "d", "e", "f", "g", "h"] as const;
/** A variable's input position; any other name is a node alias. */
const POSITION: ReadonlyMap<string, number> = new Map(PORTS.map((name, i) => [name, i]));
const GROUP = portGroup({
  count: "input_count",
  names: PORTS,
  min: 0,
  default: 2,
  port: (name) => ({ type: "any", label: name }),
  description: "How many wired variables (a, b, …) the node has",
});

export const math = defineNode({
  type: "math",
  version: 1,
  category: "logic",
  label: "Math",
  icon: "calculator",
  description:
    "Evaluates a safe expression such as `a * 1.8 + 32`. Variables are the inputs a..h (`input_count` sets how many are drawn) and, for any other " +
    "name, the output of the node with that alias (`$temp` and `temp` are the same). Operators: + - * / % ** " +
    "< > <= >= == != && || ! and the ternary `c ? x : y`; functions: " +
    `${EXPRESSION_FUNCTIONS.join(", ")}; constants PI and E. The expression is compiled once per config. ` +
    "The result's quality is the worst of the variables it read. A variable that is bad, missing, null or " +
    "NaN, or a result that is not finite (division by zero), is handled by on_bad_input: propagate (bad " +
    "result, the default), hold (last good result, uncertain) or fallback.",
  inputs: GROUP.ports,
  outputs: [{ name: "result", type: "any", label: "Result" }],
  config: z.object({
    input_count: GROUP.field,
    expression: ExpressionSchema.describe("e.g. a * 1.8 + 32, or max(a, b) - setpoint"),
    on_bad_input: BadInputPolicySchema,
    fallback: FallbackSchema,
  }),
  // `last` only serves on_bad_input "hold" and changes every scan.
  statePersistence: "periodic",
  initialState: (): { last: NodeValue["value"] | null } => ({ last: null }),
  run(inputs, config, state, ctx, outputs) {
    const compiled = cachedExpression(config.expression);
    if (!compiled.ok) {
      outputs[0] = { value: null, quality: "bad", timestamp: ctx.now, reason: compiled.error };
      return;
    }
    const result = compiled.expression.evaluate((name) => {
      const position = POSITION.get(name);
      return position === undefined ? ctx.lookup(name) : inputs[position];
    });
    if (!result.ok) {
      outputs[0] = badOutput(config.on_bad_input, config.fallback, state.last, result.error, ctx.now);
      return;
    }
    state.last = result.value;
    const out: NodeValue = { value: result.value, quality: result.quality, timestamp: ctx.now };
    if (result.reason !== undefined) out.reason = result.reason;
    outputs[0] = out;
  },
  examples: [
    {
      title: "Celsius to Fahrenheit",
      config: { expression: "a * 1.8 + 32" },
      explanation: "Connect the temperature to input a.",
    },
    {
      title: "Mixed-air temperature",
      config: { expression: "oa * damper / 100 + ra * (1 - damper / 100)" },
      explanation: "Reads the nodes aliased oa, ra and damper directly, without wires.",
    },
  ],
});
