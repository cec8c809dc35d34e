import { AlarmAckBodySchema } from "@bms/schemas";
import { guarded, type RefinedRule } from "../../../../lib/auth/guard";
import { getDb } from "../../../../lib/db/client";
import { BUILTIN_SUPERVISOR_ID, getSupervisorTarget } from "../../../../lib/db/supervisors-repository";
import { json, problem } from "../../../../lib/http";
import { proxyRule } from "../../../../lib/runtime-proxy-rules";
import { callSupervisor, type SupervisorFile } from "../../../../lib/supervisor-client";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ path: string[] }> };

/**
 * `/api/runtime/<path>?supervisor=<id>` → `<supervisor url>/api/<path>` with the stored token (and its
 * pinned certificate checked before the token leaves). The
 * browser never holds a supervisor token and never needs CORS; the Designer never speaks BACnet.
 */
async function proxy(
  request: Request,
  { params }: Params,
  auth: { note(facts: { details?: Record<string, unknown> }): void },
): Promise<Response> {
  const { path } = await params;
  const url = new URL(request.url);
  const supervisorId = url.searchParams.get("supervisor") ?? BUILTIN_SUPERVISOR_ID;
  url.searchParams.delete("supervisor");
  const target = getSupervisorTarget(getDb(), supervisorId);
  if (!target) return problem(404, `unknown supervisor ${supervisorId}`);

  let body: unknown;
  if (request.method !== "GET" && request.method !== "HEAD") {
    const text = await request.text();
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return problem(400, "request body is not valid JSON");
    }
    auth.note({ details: { supervisor: supervisorId, ...writeFacts(path, body) } });
  }
  // A report file (HTML or PDF) is passed through as bytes; printing a PDF takes Chromium a few seconds.
  const download = proxyRule(request.method, path)?.download === true;
  // A few routes (a replay) compute for longer than a read: their rule names the wait.
  const waitMs = proxyRule(request.method, path, body)?.timeoutMs;
  // The client appends each segment with the URL API (encoded, never `.`/`..`), below the base URL. The
  // segments go as they came: Next decodes `pumps%2Ffailed1` (a latch inside a sub-flow) into one segment
  // holding a `/`, which must reach the supervisor as one segment again.
  const result = await callSupervisor(target, ["api", ...path], {
    method: request.method,
    body,
    query: url.searchParams,
    signal: request.signal,
    ...(download ? { raw: true, timeoutMs: 60_000 } : {}),
    ...(waitMs ? { timeoutMs: waitMs } : {}),
  });
  const headers = { "x-bms-supervisor-latency-ms": String(Math.round(result.latency_ms)) };
  if (result.ok && download) {
    const file = result.body as SupervisorFile;
    const response = new Response(new Uint8Array(file.bytes), {
      status: result.status,
      headers: {
        "content-type": file.content_type,
        ...(file.disposition ? { "content-disposition": file.disposition } : {}),
        "x-content-type-options": "nosniff",
        // A report page opened in the Designer's origin runs nothing: it is data, never a script.
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ...headers,
      },
    });
    return response;
  }
  if (result.ok) {
    const response = json(result.body, result.status);
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  }
  // No answer at all is a gateway problem (502); an answer keeps the supervisor's own status.
  const response = problem(
    result.status ?? 502,
    result.error,
    result.errors.length ? result.errors : undefined,
  );
  for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  return response;
}

/**
 * What the Designer's own audit record says beside the target: a point write names the point, the
 * value and the priority (seed §14, issue 10); an alarm acknowledgement keeps the operator's comment when it passes the ack schema.
 */
function writeFacts(path: string[], body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null) return {};
  const fields = body as Record<string, unknown>;
  const pick = (keys: string[]) =>
    Object.fromEntries(keys.map((k) => [k, fields[k]]).filter(([, v]) => v !== undefined));
  if (path.join("/") === "points/write") return pick(["point", "value", "priority", "writes"]);
  if (path.length === 3 && path[0] === "alerts" && path[2] === "ack") {
    // Only a comment the supervisor will take, as it will keep it (trimmed); a refused body records none.
    const ack = AlarmAckBodySchema.safeParse(body);
    return ack.success && ack.data.comment ? { comment: ack.data.comment } : {};
  }
  return {};
}

/** The JSON body, read from a copy (the proxy reads the request itself); undefined when none or not JSON. */
async function bodyOf(request: Request): Promise<unknown> {
  if (request.method === "GET" || request.method === "HEAD") return undefined;
  try {
    return await request.clone().json();
  } catch {
    return undefined;
  }
}

/** Which role and audit action this supervisor path needs; a path outside the allowlist never leaves. */
async function refine(request: Request, { params }: Params): Promise<RefinedRule | Response> {
  const { path } = await params;
  // A segment may hold a `/` (it came encoded: a nested latch id); none of its parts may be `.` or `..`.
  if (path.some((segment) => segment.split("/").some((part) => part === ".." || part === "."))) {
    return json({ error: "invalid runtime path", code: "invalid_path" }, 400);
  }
  const rule = proxyRule(request.method, path, await bodyOf(request));
  if (!rule) {
    return json(
      {
        error: `the Designer does not forward ${request.method} /api/${path.join("/")}`,
        code: "not_proxied",
      },
      404,
    );
  }
  return {
    role: rule.role,
    target: `supervisor:/api/${path.join("/")}`,
    ...(rule.audit ? { audit: rule.audit } : {}),
  };
}

// Entry needs a session; the role each path needs comes from PROXY_RULES (a POST can be a read).
export const GET = guarded({ role: "viewer", refine }, proxy);
export const POST = guarded({ role: "viewer", audit: "runtime.refused", refine }, proxy);
export const PUT = guarded({ role: "viewer", audit: "runtime.refused", refine }, proxy);
export const DELETE = guarded({ role: "viewer", audit: "runtime.refused", refine }, proxy);
