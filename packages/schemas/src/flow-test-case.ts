import { z } from "zod";
import { DateTimeSchema, IdentifierSchema, QualitySchema } from "./common";

/**
 * Flow test cases (issue 16): a timeline of inputs and the outputs and writes expected of one flow of
 * the project, run headless on a simulated clock. Stored in the project document, so they are versioned
 * and exported with the flows they test.
 */

/** A test runs at most a week of simulated time: a weekly schedule's whole cycle. */
export const MAX_TEST_DURATION_S = 7 * 24 * 3600;

const TestScalarSchema = z.union([z.number(), z.boolean(), z.string().max(200)]);

/**
 * From `at_s` on, a point reads `value` (with `quality`) or a parameter holds it, until a later step
 * for the same point or parameter. `value: null` is a point that answers nothing (a dead sensor).
 */
export const TestInputStepSchema = z
  .object({
    at_s: z.number().min(0).max(MAX_TEST_DURATION_S),
    point: z.string().min(1).max(300).optional(),
    parameter: IdentifierSchema.optional(),
    value: TestScalarSchema.nullable(),
    quality: QualitySchema.default("good"),
  })
  .refine((s) => (s.point === undefined) !== (s.parameter === undefined), {
    message: "an input step sets exactly one of point or parameter",
  });
export type TestInputStep = z.infer<typeof TestInputStepSchema>;

export const TEST_COMPARISONS = ["eq", "ne", "gt", "ge", "lt", "le", "between"] as const;

/**
 * What must hold of a commanded point (the last value the flow wrote to it) or of a node output, over a
 * window of the run: at every scan (`always`), at one scan at least (`eventually`: "within 300 s the damper
 * is above 80 %"), or at the window's last scan (`at_end`). Numbers compare with `tolerance`.
 */
export const TestExpectationSchema = z
  .object({
    label: z.string().max(200).optional(),
    point: z.string().min(1).max(300).optional(),
    output: z.object({ node: z.string().min(1).max(64), port: z.string().min(1).max(64) }).optional(),
    mode: z.enum(["always", "eventually", "at_end"]),
    from_s: z.number().min(0).max(MAX_TEST_DURATION_S).default(0),
    /** The window's end; the end of the run when absent. */
    to_s: z.number().min(0).max(MAX_TEST_DURATION_S).optional(),
    op: z.enum(TEST_COMPARISONS),
    value: TestScalarSchema,
    /** The upper bound of `between` (inclusive). */
    max: z.number().optional(),
    tolerance: z.number().min(0).default(0),
    /** For a point: the priority its writes must use. */
    priority: z.number().int().min(1).max(16).optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.point === undefined) === (e.output === undefined))
      ctx.addIssue({ code: "custom", message: "an expectation names exactly one of point or output" });
    if (e.op === "between" && (typeof e.value !== "number" || e.max === undefined || e.max < e.value))
      ctx.addIssue({
        code: "custom",
        path: ["max"],
        message: "between needs a number value and a max ≥ value",
      });
    if (e.to_s !== undefined && e.to_s < e.from_s)
      ctx.addIssue({ code: "custom", path: ["to_s"], message: "the window ends before it starts" });
  });
export type TestExpectation = z.infer<typeof TestExpectationSchema>;

export const FlowTestCaseSchema = z
  .object({
    id: z.string().min(1).max(64),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    /** The flow of the project under test. */
    flow_id: z.uuid(),
    /** Simulated wall-clock time of the first scan: the schedule's day and time. */
    start: DateTimeSchema.default("2026-01-05T08:00:00.000Z"),
    duration_s: z.number().positive().max(MAX_TEST_DURATION_S),
    /** Seconds between scans; the flow's own interval when absent (1 s for a flow not on an interval). */
    scan_s: z.number().min(0.1).max(3600).optional(),
    inputs: z.array(TestInputStepSchema).max(10_000).default([]),
    expect: z.array(TestExpectationSchema).min(1, "a test case expects something").max(1000),
  })
  .superRefine((t, ctx) => {
    t.inputs.forEach((s, i) => {
      if (s.at_s > t.duration_s)
        ctx.addIssue({ code: "custom", path: ["inputs", i, "at_s"], message: "after the end of the run" });
    });
    t.expect.forEach((e, i) => {
      if (e.from_s > t.duration_s)
        ctx.addIssue({ code: "custom", path: ["expect", i, "from_s"], message: "after the end of the run" });
    });
  });
export type FlowTestCase = z.infer<typeof FlowTestCaseSchema>;
export type FlowTestCaseInput = z.input<typeof FlowTestCaseSchema>;

export const FlowTestCasesSchema = z
  .array(FlowTestCaseSchema)
  .max(1000)
  .refine((tests) => new Set(tests.map((t) => t.id)).size === tests.length, "duplicate test case ids");
