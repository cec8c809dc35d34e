import type { ValidationProblem } from "@bms/schemas";
import { NextResponse } from "next/server";
import type { z } from "zod";
import type { ApiError } from "./api-types";

export function json<T>(body: T, status = 200): NextResponse<T> {
  return NextResponse.json(body, { status, headers: { "cache-control": "no-store" } });
}

export function problem(status: number, error: string, errors?: ValidationProblem[]): NextResponse<ApiError> {
  return json<ApiError>(errors ? { error, errors } : { error }, status);
}

/** A save based on an older version than the newest: nothing was written (optimistic concurrency). */
export function versionConflict(latestVersion: number): NextResponse<ApiError> {
  return json<ApiError>(
    {
      error: `version ${latestVersion} was saved after the version this edit is based on`,
      code: "version_conflict",
      latest_version: latestVersion,
    },
    409,
  );
}

/** Reads and validates a JSON body; malformed JSON and schema failures become a 4xx with paths. */
export async function readBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; value: z.infer<S> } | { ok: false; response: NextResponse<ApiError> }> {
  let raw: unknown;
  try {
    const text = await request.text();
    raw = text ? JSON.parse(text) : {};
  } catch {
    return { ok: false, response: problem(400, "request body is not valid JSON") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      response: problem(
        422,
        "request body is invalid",
        parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message })),
      ),
    };
  }
  return { ok: true, value: parsed.data };
}
