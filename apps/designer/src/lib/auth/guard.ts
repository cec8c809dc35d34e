import { type AuditActor, type Role, roleAllows } from "@bms/schemas";
import { CSRF_HEADER, checkHost, checkStateChange, SAFE_METHODS, sameSecret } from "@bms/security";
import { getDb } from "../db/client";
import { json } from "../http";
import { runAs } from "./actor-context";
import { appendAudit } from "./audit-repository";
import { clientAddress, serverConfig } from "./server-config";
import { readCookie, SESSION_COOKIE } from "./session-cookie";
import { findSession, type Session } from "./sessions-repository";

/**
 * The one gate in front of every API route: it authenticates the session, checks the role, checks
 * Origin and the CSRF token of a cookie request that changes state, and writes exactly one audit record
 * for every state-changing request (allowed, refused or failed). Routes declare what they need with
 * `guarded({role, audit}, handler)`; the rule is attached to the handler so the authorization matrix
 * test reads the real table.
 */

/** "public" routes run without a session: sign-in, first-run setup, who-am-I. */
export type Access = "public" | Role;

export interface GuardRule {
  role: Access;
  /** The audit action (`project.create`); required for routes that change state. */
  audit?: string;
}

/** What a request turned out to need, for routes whose rule depends on the request (the runtime proxy). */
export interface RefinedRule {
  role: Role;
  /** undefined: a read that goes unaudited even though its method is POST (`points/read`). */
  audit?: string;
  target?: string;
}

export interface AuthContext {
  session: Session | null;
  source: string;
  /** Adds the target and facts (point, value, priority) to this request's audit record. */
  note(facts: { target?: string; details?: Record<string, unknown> }): void;
  /** Replaces the record's action and outcome, for routes that judge their own result (sign-in). */
  outcome(facts: {
    action?: string;
    actor?: AuditActor;
    reason?: string;
    result?: "ok" | "denied" | "failed";
  }): void;
}

type Handler<C> = (request: Request, context: C, auth: AuthContext) => Response | Promise<Response>;

export type GuardedHandler<C> = ((request: Request, context: C) => Promise<Response>) & {
  guard: GuardRule & { refined: boolean };
};

/** Requests the browser makes on a timer send this header, so polling does not keep an idle session alive. */
export const BACKGROUND_HEADER = "x-bms-background";

function refuse(status: number, code: string, error: string): Response {
  return json({ error, code }, status);
}

function actorOf(session: Session | null): AuditActor {
  return session
    ? { kind: "user", name: session.user.name, role: session.user.role }
    : { kind: "anonymous", name: "anonymous", role: null };
}

function resultOf(status: number): "ok" | "denied" | "failed" {
  if (status < 400) return "ok";
  return status === 401 || status === 403 || status === 429 ? "denied" : "failed";
}

export function guarded<C>(
  rule: GuardRule & { refine?: (request: Request, context: C) => Promise<RefinedRule | Response> },
  handler: Handler<C>,
): GuardedHandler<C> {
  const run = async (request: Request, context: C): Promise<Response> => {
    const config = serverConfig();
    if (!config) {
      return refuse(
        503,
        "no_server_entry",
        "the Designer must be started with its server entry (pnpm --filter @bms/designer start), not `next start`",
      );
    }
    const headers = Object.fromEntries(request.headers);
    const host = checkHost(headers, config.policy);
    if (!host.ok) return refuse(host.status, host.code, host.message);

    const method = request.method.toUpperCase();
    const changesState = !SAFE_METHODS.has(method);
    const db = getDb();
    const source = clientAddress(request);
    const cookieValue = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
    const lookup = findSession(db, cookieValue, {
      touch: request.headers.get(BACKGROUND_HEADER) !== "1",
    });
    const session = lookup.ok ? lookup.session : null;

    let action = changesState ? rule.audit : undefined;
    let need: Access = rule.role;
    let target: string | undefined = new URL(request.url).pathname;
    let details: Record<string, unknown> | undefined;
    let override: Parameters<AuthContext["outcome"]>[0] = {};
    const audit = (status: number, reason?: string) => {
      if (!action && !override.action) return;
      appendAudit(db, {
        actor: override.actor ?? actorOf(session),
        source,
        action: override.action ?? action ?? "unknown",
        target: target ?? null,
        result: override.result ?? resultOf(status),
        ...((override.reason ?? reason) ? { reason: override.reason ?? reason } : {}),
        ...(details ? { details } : {}),
      });
    };
    const deny = (status: number, code: string, message: string) => {
      audit(status, message);
      return refuse(status, code, message);
    };

    if (need !== "public" && !session) {
      const expired = !lookup.ok && (lookup.reason === "idle" || lookup.reason === "expired");
      return deny(
        401,
        expired ? "session_expired" : "not_signed_in",
        expired ? "your session has ended: sign in again" : "sign in first",
      );
    }

    if (rule.refine) {
      const refined = await rule.refine(request, context);
      if (refined instanceof Response) {
        audit(refined.status, "refused before reaching the supervisor");
        return refined;
      }
      need = refined.role;
      action = changesState ? refined.audit : undefined;
      target = refined.target;
    }

    if (need !== "public" && session) {
      if (!roleAllows(session.user.role, need)) {
        return deny(
          403,
          "forbidden",
          `this needs the ${need} role; ${session.user.name} is ${session.user.role}`,
        );
      }
    }

    if (changesState) {
      const sent = request.headers.get(CSRF_HEADER);
      const verdict = checkStateChange(
        {
          method,
          headers,
          scheme: config.tls ? "https" : "http",
          // Any request that carries our cookie is judged as a browser's, even if the session is gone.
          cookieAuthenticated: cookieValue !== undefined && session !== null,
          ...(sent !== null && session ? { csrfValid: sameSecret(sent, session.csrfToken) } : {}),
        },
        config.policy,
      );
      if (!verdict.ok) return deny(verdict.status, verdict.code, verdict.message);
    }

    const auth: AuthContext = {
      session,
      source,
      note(facts) {
        if (facts.target !== undefined) target = facts.target;
        if (facts.details) details = { ...details, ...facts.details };
      },
      outcome(facts) {
        override = { ...override, ...facts };
      },
    };
    let response: Response;
    try {
      const work = () => handler(request, context, auth);
      response = await (session ? runAs({ name: session.user.name, role: session.user.role }, work) : work());
    } catch (error) {
      // The stack goes to the server log only; the browser gets a code.
      console.error(`[designer] ${method} ${new URL(request.url).pathname} failed:`, error);
      response = refuse(500, "internal_error", "the Designer server failed to handle this request");
    }
    let reason: string | undefined;
    if (response.status >= 400 && (action || override.action)) {
      // The refusal's own message is the audit reason (a supervisor's "point out of service", a 409).
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { error?: unknown } | null;
      if (typeof body?.error === "string") reason = body.error.slice(0, 500);
    }
    audit(response.status, reason);
    return response;
  };
  return Object.assign(run, {
    guard: { role: rule.role, ...(rule.audit ? { audit: rule.audit } : {}), refined: Boolean(rule.refine) },
  });
}
