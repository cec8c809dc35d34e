import { getDb } from "../../../../lib/db/client";
import { BUILTIN_SUPERVISOR_ID, getSupervisorTarget } from "../../../../lib/db/supervisors-repository";
import { json, problem } from "../../../../lib/http";
import { callSupervisor } from "../../../../lib/supervisor-client";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ path: string[] }> };

/**
 * `/api/runtime/<path>?supervisor=<id>` → `<supervisor url>/api/<path>` with the stored token (and its
 * pinned certificate checked before the token leaves). The
 * browser never holds a supervisor token and never needs CORS; the Designer never speaks BACnet.
 */
async function proxy(request: Request, { params }: Params): Promise<Response> {
  const { path } = await params;
  if (path.some((segment) => segment === ".." || segment === "." || segment.includes("/"))) {
    return problem(400, "invalid runtime path");
  }
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
  }
  // The client appends each segment with the URL API (encoded, never `.`/`..`), below the base URL.
  const result = await callSupervisor(target, ["api", ...path].join("/"), {
    method: request.method,
    body,
    query: url.searchParams,
    signal: request.signal,
  });
  const headers = { "x-bms-supervisor-latency-ms": String(Math.round(result.latency_ms)) };
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

export const GET = proxy;
export const POST = proxy;
export const PUT = proxy;
export const PATCH = proxy;
export const DELETE = proxy;
