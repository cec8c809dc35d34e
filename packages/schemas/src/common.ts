import { z } from "zod";

export const QualitySchema = z.enum(["good", "uncertain", "bad"]);
export type Quality = z.infer<typeof QualitySchema>;

/** ISO-8601 timestamp with offset, as every API and stored document uses. */
export const DateTimeSchema = z.iso.datetime({ offset: true });

export const IdentifierSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "must start with a letter and hold only letters, digits and _")
  .max(64);

export const SemverSchema = z
  .string()
  .regex(
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/,
    "must be a semantic version such as 1.2.0",
  );

/**
 * One problem found in user input: where (a machine-readable path), what (a sentence for people, naming
 * things as the user sees them) and, where a caller may need to tell kinds apart, a stable code.
 */
export const ValidationProblemSchema = z.object({
  path: z.string(),
  message: z.string(),
  code: z.string().optional(),
});
export type ValidationProblem = z.infer<typeof ValidationProblemSchema>;

export const ErrorResponseSchema = z.object({
  error: z.string(),
  errors: z.array(ValidationProblemSchema).optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** `nodes[2].config.value`: readable for integrators, stable for tests. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}

export function zodProblems(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationProblem[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: ValidationProblem[] };
