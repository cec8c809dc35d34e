import {
  type DeploymentPackageInput,
  type DeployResponse,
  DeployResponseSchema,
  ErrorResponseSchema,
  type ExecutionStateResponse,
  ExecutionStateResponseSchema,
  type ValidationProblem,
} from "@bms/schemas";
import type { z } from "zod";
import { currentActor } from "./auth/actor-context";

/** Who to call: the URL and the bearer token of one supervisor. */
export interface SupervisorConnection {
  name: string;
  url: string;
  token: string;
}

export type SupervisorResult<T> =
  | { ok: true; status: number; body: T; latency_ms: number }
  | {
      ok: false;
      /** null when no HTTP answer came at all (refused, timed out, DNS). */
      status: number | null;
      error: string;
      errors: ValidationProblem[];
      latency_ms: number;
    };

/** Most calls are small reads: a supervisor that has not answered in 5 s is treated as down. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** A deploy validates and stores in one transaction; give it longer before calling it lost. */
export const DEPLOY_TIMEOUT_MS = 15_000;

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `did not answer within ${Math.round(timeoutMs / 1000)} s`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused (is the supervisor running?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}

/** Raw call: never throws, never hangs past the timeout; the error text is fit to show a user. */
export async function callSupervisor(
  target: SupervisorConnection,
  path: string,
  options: { method?: string; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SupervisorResult<unknown>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  // The supervisor records the person behind our token as `on_behalf_of` in its audit trail.
  const actor = currentActor();
  if (actor) headers["x-bms-actor"] = actor.name;
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${target.url.replace(/\/+$/, "")}${path}`, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.any(signals),
      cache: "no-store",
    });
    text = await response.text();
  } catch (error) {
    return {
      ok: false,
      status: null,
      error: `Supervisor "${target.name}" at ${target.url} is unreachable: ${networkReason(error, timeoutMs)}`,
      errors: [],
      latency_ms: performance.now() - started,
    };
  }
  const latency = performance.now() - started;
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (response.ok) return { ok: true, status: response.status, body, latency_ms: latency };
  const parsed = ErrorResponseSchema.safeParse(body);
  return {
    ok: false,
    status: response.status,
    error: parsed.success
      ? parsed.data.error
      : `Supervisor "${target.name}" answered HTTP ${response.status}${typeof body === "string" && body ? `: ${body.slice(0, 200)}` : ""}`,
    errors: parsed.success ? (parsed.data.errors ?? []) : [],
    latency_ms: latency,
  };
}

async function typedCall<S extends z.ZodType>(
  schema: S,
  target: SupervisorConnection,
  path: string,
  options: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<SupervisorResult<z.infer<S>>> {
  const result = await callSupervisor(target, path, options);
  if (!result.ok) return result;
  const parsed = schema.safeParse(result.body);
  if (parsed.success) return { ...result, body: parsed.data };
  return {
    ok: false,
    status: result.status,
    error: `Supervisor "${target.name}" sent an unexpected answer to ${path}`,
    errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    latency_ms: result.latency_ms,
  };
}

export function deployPackage(
  target: SupervisorConnection,
  pkg: DeploymentPackageInput,
): Promise<SupervisorResult<DeployResponse>> {
  return typedCall(DeployResponseSchema, target, "/api/config/deploy", {
    body: pkg,
    timeoutMs: DEPLOY_TIMEOUT_MS,
  });
}

export function getExecutionState(
  target: SupervisorConnection,
): Promise<SupervisorResult<ExecutionStateResponse>> {
  return typedCall(ExecutionStateResponseSchema, target, "/api/execution/state");
}

export function checkHealth(target: SupervisorConnection): Promise<SupervisorResult<unknown>> {
  return callSupervisor(target, "/api/health", { timeoutMs: 3_000 });
}
