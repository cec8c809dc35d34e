import { z } from "zod";
import { cachedExpression, ExpressionSchema } from "../core/expression";
import { defineNode, type NodeValue, type PortDefinition } from "../core/types";

const PORTS = ["a", "b", "c", "d"] as const;
const PORT_SET: ReadonlySet<string> = new Set(PORTS);

export const log = defineNode({
  type: "log",
  version: 1,
  category: "output",
  label: "Data Logger",
  icon: "notebook-pen",
  description:
    "Records named values to the supervisor's time series (ctx.record), as the seed's " +
    '`{"data": {"temp": "$temp"}}`: each entry is an expression over the inputs a..d and node aliases ' +
    "(`$timestamp` is the scan time in ms). It records every interval_s (0: every scan), or only when a " +
    "value changed (on_change). A value that cannot be evaluated (bad, null or NaN input) is still " +
    "recorded, with quality bad and the reason, so the trend shows a gap rather than a stale line.",
  inputs: PORTS.map((name): PortDefinition => ({ name, type: "any", label: name })),
  outputs: [
    { name: "recorded", type: "number", label: "Recorded", description: "Values recorded this scan" },
  ],
  config: z.object({
    data: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
          .max(64),
        ExpressionSchema,
      )
      .refine((d) => Object.keys(d).length > 0 && Object.keys(d).length <= 32, {
        message: "log 1 to 32 values",
      })
      .describe("Series name → expression, e.g. { temp: '$temp' }"),
    interval_s: z
      .number()
      .min(0)
      .max(86_400)
      .default(0)
      .describe("Minimum time between records; 0: every scan"),
    on_change: z.boolean().default(false).describe("Record only when a value differs from the last record"),
  }),
  // Losing it costs at most one extra record after a restart.
  statePersistence: "periodic",
  initialState: (): { lastAt: number | null; last: Record<string, NodeValue["value"]> } => ({
    lastAt: null,
    last: {},
  }),
  execute(inputs, config, state, ctx) {
    const none = { recorded: { value: 0, quality: "good" as const, timestamp: ctx.now } };
    if (state.lastAt !== null && ctx.now - state.lastAt < config.interval_s * 1000) return none;
    const resolve = (name: string): NodeValue | undefined => {
      if (PORT_SET.has(name)) return inputs[name];
      const aliased = ctx.lookup(name);
      if (aliased || name !== "timestamp") return aliased;
      return { value: ctx.now, quality: "good", timestamp: ctx.now };
    };
    const values: [string, NodeValue][] = Object.entries(config.data).map(([name, text]) => {
      const compiled = cachedExpression(text);
      if (!compiled.ok)
        return [name, { value: null, quality: "bad", timestamp: ctx.now, reason: compiled.error }];
      const result = compiled.expression.evaluate(resolve);
      if (!result.ok)
        return [name, { value: null, quality: "bad", timestamp: ctx.now, reason: result.error }];
      const v: NodeValue = { value: result.value, quality: result.quality, timestamp: ctx.now };
      if (result.reason !== undefined) v.reason = result.reason;
      return [name, v];
    });
    if (
      config.on_change &&
      values.every(([name, v]) => Object.hasOwn(state.last, name) && state.last[name] === v.value)
    ) {
      return none;
    }
    for (const [name, v] of values) {
      ctx.record(name, v);
      state.last[name] = v.value;
    }
    state.lastAt = ctx.now;
    return { recorded: { value: values.length, quality: "good", timestamp: ctx.now } };
  },
  examples: [
    {
      title: "Seed form",
      config: { data: { temp: "$temp", time: "$timestamp" } },
      explanation: "Records the node aliased temp and the scan time every scan.",
    },
    {
      title: "Every 5 minutes",
      config: { data: { supply: "a", valve: "round(b, 1)" }, interval_s: 300 },
      explanation: "Trends supply temperature and valve position.",
    },
  ],
});
