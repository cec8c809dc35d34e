import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  AnyDeploymentPackageSchema,
  type DeploymentPackageInput,
  type DeployResponse,
  DeployResponseSchema,
  ErrorResponseSchema,
  type ExecutionStateResponse,
  ExecutionStateResponseSchema,
  type SitePackageInput,
  type ValidationProblem,
} from "@bms/schemas";
import { CertificatePinError, endpoint, parseServiceUrl, TrustedHttpsAgent } from "@bms/security";
import { z } from "zod";
import { currentActor } from "./auth/actor-context";

/** Who to call: the base URL, the bearer token and (https) the pinned certificate of one supervisor. */
export interface SupervisorConnection {
  name: string;
  url: string;
  token: string;
  /** SHA-256 fingerprint the presented certificate must have; null or absent: the system CAs decide. */
  tls_fingerprint?: string | null;
  /** Set by the registry when the target must not be called at all (invalid URL, unreadable token). */
  problem?: string | null;
}

/** Why no usable answer came; callers branch on this, never on the message text. */
export type SupervisorFailureCode =
  | "invalid_target"
  | "unreachable"
  | "timeout"
  | "aborted"
  | "certificate_changed"
  | "certificate_untrusted"
  | "http_error"
  | "unexpected_answer";

export type SupervisorResult<T> =
  | { ok: true; status: number; body: T; latency_ms: number }
  | {
      ok: false;
      /** null when no HTTP answer came at all (refused, timed out, DNS, certificate). */
      status: number | null;
      code: SupervisorFailureCode;
      error: string;
      errors: ValidationProblem[];
      latency_ms: number;
    };

/** Most calls are small reads: a supervisor that has not answered in 5 s is treated as down. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** A deploy validates and stores in one transaction; give it longer before calling it lost. */
export const DEPLOY_TIMEOUT_MS = 15_000;
/** An answer larger than this is not a supervisor's; stop reading rather than fill memory. */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** TLS verification failures Node reports for a certificate the system CAs do not vouch for. */
const UNTRUSTED_CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function networkFailure(error: unknown): { code: SupervisorFailureCode; reason: string } {
  if (error instanceof CertificatePinError) return { code: "certificate_changed", reason: error.message };
  const code = (error as { code?: string } | null)?.code;
  if (code && UNTRUSTED_CERT_CODES.has(code))
    return {
      code: "certificate_untrusted",
      reason: `its certificate is not trusted (${code}): run the connection test in Settings and confirm its fingerprint`,
    };
  switch (code) {
    case "ECONNREFUSED":
      return { code: "unreachable", reason: "connection refused (is the supervisor running?)" };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { code: "unreachable", reason: "host not found" };
    case "ECONNRESET":
      return { code: "unreachable", reason: "connection reset" };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { code: "unreachable", reason: "host unreachable" };
    default:
      return { code: "unreachable", reason: error instanceof Error ? error.message : String(error) };
  }
}

// One agent per pin (and one for CA trust): every connection is verified before the request is attached.
const agents = new Map<string, TrustedHttpsAgent>();
function httpsAgent(pin: string | null): TrustedHttpsAgent {
  const key = pin ?? "(system CAs)";
  let agent = agents.get(key);
  if (!agent) {
    agent = new TrustedHttpsAgent(pin);
    agents.set(key, agent);
  }
  return agent;
}

interface RawAnswer {
  status: number;
  text: string;
  bytes: Buffer;
  contentType: string | null;
  disposition: string | null;
}

/** A file the supervisor answered (a commissioning report's HTML or PDF), for `callSupervisor({raw})`. */
export interface SupervisorFile {
  bytes: Buffer;
  content_type: string;
  disposition: string | null;
}

/** One HTTP exchange over node:http/https, so the TLS socket is ours to verify before any byte is sent. */
function exchange(
  url: URL,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string | Buffer;
    signal: AbortSignal;
    pin: string | null;
  },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const options = { method: init.method, headers: init.headers, signal: init.signal };
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          response.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", reject);
      response.on("close", () => {
        if (!response.complete) reject(new Error("the connection closed before the answer was complete"));
      });
      response.on("end", () => {
        const bytes = Buffer.concat(chunks);
        const header = (name: string) => {
          const value = response.headers[name];
          return typeof value === "string" ? value : null;
        };
        resolve({
          status: response.statusCode ?? 0,
          text: bytes.toString("utf8"),
          bytes,
          contentType: header("content-type"),
          disposition: header("content-disposition"),
        });
      });
    };
    const request =
      url.protocol === "https:"
        ? httpsRequest(url, { ...options, agent: httpsAgent(init.pin) }, onResponse)
        : httpRequest(url, options, onResponse);
    request.on("error", reject);
    request.end(init.body);
  });
}

/**
 * Raw call: never throws, never hangs past the timeout; the error text is fit to show a user. The path is
 * appended to the base URL by `endpoint()` (URL API), never by string concatenation, and the query is set
 * parameter by parameter.
 */
export async function callSupervisor(
  target: SupervisorConnection,
  /** A path string, or its segments when one may hold a `/` (see `endpoint`). */
  path: string | readonly string[],
  options: {
    method?: string;
    body?: unknown;
    query?: URLSearchParams | Record<string, string>;
    timeoutMs?: number;
    signal?: AbortSignal;
    /** The signed-in person the Designer acts for: sent as `X-BMS-Actor`, recorded in the supervisor's audit. */
    actor?: string;
    /** A file download: a 2xx answer's body is a `SupervisorFile` (bytes and type), not parsed JSON. */
    raw?: boolean;
    /** A binary upload (a release bundle) instead of a JSON body, with the headers that describe it. */
    upload?: { bytes: Buffer; headers: Record<string, string> };
  } = {},
): Promise<SupervisorResult<unknown>> {
  const started = performance.now();
  const refuse = (code: SupervisorFailureCode, error: string): SupervisorResult<unknown> => ({
    ok: false,
    status: null,
    code,
    error,
    errors: [],
    latency_ms: performance.now() - started,
  });
  if (target.problem) return refuse("invalid_target", `Supervisor "${target.name}": ${target.problem}`);
  const base = parseServiceUrl(target.url);
  if (!base.ok)
    return refuse("invalid_target", `Supervisor "${target.name}" has an invalid URL: ${base.message}`);
  let url: URL;
  try {
    url = endpoint(base.url, path);
  } catch {
    return refuse("invalid_target", `invalid supervisor API path ${JSON.stringify(path)}`);
  }
  const query = options.query instanceof URLSearchParams ? options.query : new URLSearchParams(options.query);
  for (const [key, value] of query) url.searchParams.append(key, value);

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: options.raw ? "*/*" : "application/json" };
  const body = options.upload
    ? options.upload.bytes
    : options.body === undefined
      ? undefined
      : JSON.stringify(options.body);
  if (options.upload) {
    Object.assign(headers, options.upload.headers);
    headers["content-type"] = "application/octet-stream";
    headers["content-length"] = String(options.upload.bytes.length);
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  // Informational only (the token's role decides); printable ASCII so a name cannot split the header.
  // Without an explicit actor, the signed-in user the current request runs for (route guard).
  const actor = (options.actor ?? currentActor()?.name)?.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
  if (actor) headers["x-bms-actor"] = actor;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signals = [timeout, ...(options.signal ? [options.signal] : [])];

  let answer: RawAnswer;
  try {
    answer = await exchange(url, {
      method: options.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
      signal: AbortSignal.any(signals),
      pin: url.protocol === "https:" ? (target.tls_fingerprint ?? null) : null,
    });
  } catch (error) {
    const failure = timeout.aborted
      ? { code: "timeout" as const, reason: `did not answer within ${Math.round(timeoutMs / 1000)} s` }
      : options.signal?.aborted
        ? { code: "aborted" as const, reason: "the request was cancelled" }
        : networkFailure(error);
    // A certificate refusal is not an outage: say that the connection was refused on purpose.
    const certificate = failure.code === "certificate_changed" || failure.code === "certificate_untrusted";
    return refuse(
      failure.code,
      `Supervisor "${target.name}" at ${base.url.origin} ${certificate ? "was not trusted" : "is unreachable"}: ${failure.reason}`,
    );
  }
  const latency = performance.now() - started;
  if (options.raw && answer.status >= 200 && answer.status < 300) {
    const file: SupervisorFile = {
      bytes: answer.bytes,
      content_type: answer.contentType ?? "application/octet-stream",
      disposition: answer.disposition,
    };
    return { ok: true, status: answer.status, body: file, latency_ms: latency };
  }
  let parsedBody: unknown = null;
  try {
    parsedBody = answer.text ? JSON.parse(answer.text) : null;
  } catch {
    parsedBody = answer.text;
  }
  if (answer.status >= 200 && answer.status < 300)
    return { ok: true, status: answer.status, body: parsedBody, latency_ms: latency };
  const parsed = ErrorResponseSchema.safeParse(parsedBody);
  return {
    ok: false,
    status: answer.status,
    code: "http_error",
    error: parsed.success
      ? parsed.data.error
      : `Supervisor "${target.name}" answered HTTP ${answer.status}${typeof parsedBody === "string" && parsedBody ? `: ${parsedBody.slice(0, 200)}` : ""}`,
    errors: parsed.success ? (parsed.data.errors ?? []) : [],
    latency_ms: latency,
  };
}

async function typedCall<S extends z.ZodType>(
  schema: S,
  target: SupervisorConnection,
  path: string,
  options: { method?: string; body?: unknown; timeoutMs?: number; query?: Record<string, string> } = {},
): Promise<SupervisorResult<z.infer<S>>> {
  const result = await callSupervisor(target, path, options);
  if (!result.ok) return result;
  const parsed = schema.safeParse(result.body);
  if (parsed.success) return { ...result, body: parsed.data };
  return {
    ok: false,
    status: result.status,
    code: "unexpected_answer",
    error: `Supervisor "${target.name}" sent an unexpected answer to ${path}`,
    errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    latency_ms: result.latency_ms,
  };
}

/**
 * `mode: "replace"` lets the package take over a supervisor that runs another project's site (its flows
 * stop and relinquish their points); without it the supervisor answers 409 `project_conflict`.
 */
export function deployPackage(
  target: SupervisorConnection,
  pkg: DeploymentPackageInput | SitePackageInput,
  mode: "update" | "replace" = "update",
): Promise<SupervisorResult<DeployResponse>> {
  return typedCall(DeployResponseSchema, target, "/api/config/deploy", {
    body: pkg,
    timeoutMs: DEPLOY_TIMEOUT_MS,
    ...(mode === "replace" ? { query: { mode } } : {}),
  });
}

const CurrentConfigSchema = z.object({
  project_id: z.string().nullable().optional(),
  project_name: z.string().nullable().optional(),
  package: AnyDeploymentPackageSchema,
});

/**
 * The package the supervisor runs now (null when nothing was deployed yet): what a deploy preview
 * compares flow by flow. Its checksum is not re-checked here: the preview only reads flow contents.
 */
export async function getCurrentPackage(
  target: SupervisorConnection,
): Promise<SupervisorResult<z.infer<typeof CurrentConfigSchema> | null>> {
  const result = await typedCall(CurrentConfigSchema, target, "/api/config/current");
  if (!result.ok && result.status === 404)
    return { ok: true, status: 404, body: null, latency_ms: result.latency_ms };
  return result;
}

export function getExecutionState(
  target: SupervisorConnection,
): Promise<SupervisorResult<ExecutionStateResponse>> {
  return typedCall(ExecutionStateResponseSchema, target, "/api/execution/state");
}

export function checkHealth(target: SupervisorConnection): Promise<SupervisorResult<unknown>> {
  return callSupervisor(target, "/api/health", { timeoutMs: 3_000 });
}
