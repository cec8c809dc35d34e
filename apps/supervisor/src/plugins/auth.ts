import type { AddressInfo } from "node:net";
import { type AuditActor, type AuditRecord, type Role, roleAllows } from "@bms/schemas";
import {
  CSRF_HEADER,
  checkHost,
  checkStateChange,
  defaultAllowedHosts,
  hashToken,
  SAFE_METHODS,
  STRICT_CSP,
  sameSecret,
  securityHeaders,
} from "@bms/security";
import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { FailureLimiter, type FailureLimits } from "../auth/failure-limiter";
import { type AuditEntry, AuditRepo } from "../storage/audit-repo";
import { type SessionLimits, SessionsRepo } from "../storage/sessions-repo";
import { TokensRepo } from "../storage/tokens-repo";

/** Who a request acts as: the bootstrap admin token or a named token, by bearer header or session cookie. */
export interface Identity {
  kind: "bootstrap" | "token";
  name: string;
  role: Role;
  tokenId: number | null;
  via: "bearer" | "session";
  /** The session cookie's value, when authenticated by it (for logout and the CSRF token). */
  sessionId?: string;
}

/** What a route wants written into its one audit record, filled by its handler. */
export interface AuditNote {
  target?: string | null;
  details?: Record<string, unknown>;
  result?: AuditRecord["result"];
  reason?: string;
  actor?: AuditActor;
}

/** How a route is protected, kept in the Fastify route config so the hooks can read it. */
export interface RouteAuthConfig {
  auth: Role | "public";
  /** The audit action of a state-changing route; absent on reads. */
  auditAction?: string;
}

declare module "fastify" {
  interface FastifyInstance {
    auth: AuthService;
  }
  interface FastifyRequest {
    identity: Identity | null;
    /** Why presented credentials were not accepted (expired, revoked, unknown), for the 401 answer. */
    credentialProblem: string | null;
    /** X-BMS-Actor: the person a server (the Designer) acts for; informational only. */
    onBehalfOf: string | null;
    auditNote: AuditNote | null;
  }
  interface FastifyContextConfig {
    bms?: RouteAuthConfig;
  }
}

/**
 * Not `bms_session`: browsers scope cookies by host, not port, so on one machine the supervisor's
 * dashboard (:8080) and the Designer (:3000, `bms_session`) would overwrite each other's sign-in.
 */
export const SESSION_COOKIE = "bms_supervisor_session";
export const BOOTSTRAP_NAME = "bootstrap admin";

export interface AuthOptions {
  adminToken: string;
  /** Reads (viewer routes) allowed without an identity. */
  publicRead: boolean;
  session: SessionLimits;
  tls: boolean;
  /** Extra host names to answer to (see allowedHostNames); loopback names are always allowed. */
  hostNames: readonly string[];
  /** The configured HTTP port, used until the server listens (inject() in tests). */
  httpPort: number;
  failureLimits: FailureLimits;
  auditDays: number;
}

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The CSRF token of a session: derived from its id, so nothing more is stored and it dies with it. */
export function csrfTokenOf(sessionId: string): string {
  return hashToken(`csrf:${sessionId}`);
}

function onBehalfOf(request: FastifyRequest): string | null {
  const raw = request.headers["x-bms-actor"];
  const text = (Array.isArray(raw) ? raw[0] : raw)
    ?.replace(/\p{Cc}/gu, "")
    .trim()
    .slice(0, 100);
  return text ? text : null;
}

/**
 * Identity, sessions, roles, the browser guard, failure throttling and the audit trail: the one place
 * that decides who a request is and whether it may proceed. Routes only declare a role and an audit action.
 */
export class AuthService {
  readonly tokens: TokensRepo;
  readonly sessions: SessionsRepo;
  readonly audits: AuditRepo;
  readonly limiter: FailureLimiter;

  constructor(
    db: import("../storage/database").Db,
    readonly options: AuthOptions,
  ) {
    this.tokens = new TokensRepo(db);
    this.sessions = new SessionsRepo(db, options.session);
    this.audits = new AuditRepo(db);
    this.limiter = new FailureLimiter(options.failureLimits);
  }

  /** Checks a presented secret: the bootstrap token or a named one. */
  verify(
    secret: string,
  ):
    | { ok: true; identity: Omit<Identity, "via"> }
    | { ok: false; reason: "unknown" | "expired" | "revoked" } {
    if (sameSecret(secret, this.options.adminToken)) {
      return {
        ok: true,
        identity: { kind: "bootstrap", name: BOOTSTRAP_NAME, role: "admin", tokenId: null },
      };
    }
    const checked = this.tokens.check(secret);
    if (!checked.ok) return { ok: false, reason: checked.reason };
    const t = checked.token;
    return { ok: true, identity: { kind: "token", name: t.name, role: t.role, tokenId: t.id } };
  }

  actorOf(request: FastifyRequest): AuditActor {
    const id = request.identity;
    const actor: AuditActor = id
      ? { kind: id.kind, name: id.name, role: id.role }
      : { kind: "anonymous", name: "anonymous", role: null };
    if (request.onBehalfOf) actor.on_behalf_of = request.onBehalfOf;
    return actor;
  }

  record(
    request: FastifyRequest,
    entry: Omit<AuditEntry, "actor" | "source"> & { actor?: AuditActor },
  ): void {
    this.audits.add({ actor: this.actorOf(request), source: request.ip, ...entry });
  }

  /** A bad credential from this source: counted, and the lockout it may start is audited once. */
  failed(request: FastifyRequest): void {
    const { locked } = this.limiter.fail(request.ip);
    if (locked) {
      const minutes = Math.round(this.limiter.limits.lockMs / 60_000);
      this.audits.add({
        actor: { kind: "anonymous", name: "anonymous", role: null },
        source: request.ip,
        action: "auth.lockout",
        target: request.ip,
        result: "denied",
        reason: `${this.limiter.limits.maxFailures} failed logins or bad tokens within ${Math.round(this.limiter.limits.windowMs / 60_000)} min: locked out for ${minutes} min`,
      });
      request.log.warn({ source: request.ip }, "source locked out after repeated authentication failures");
    }
  }

  sessionCookie(id: string): string {
    const maxAge = Math.floor(this.options.session.absoluteMs / 1000);
    return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.options.tls ? "; Secure" : ""}`;
  }

  clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${this.options.tls ? "; Secure" : ""}`;
  }
}

function deny(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  bearerChallenge = false,
): FastifyReply {
  if (bearerChallenge) reply.header("www-authenticate", 'Bearer realm="bms-supervisor"');
  return reply.status(status).send({ error: message, code });
}

export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    const service = new AuthService(app.db, options);
    app.decorate("auth", service);
    app.decorateRequest("identity", null);
    app.decorateRequest("credentialProblem", null);
    app.decorateRequest("onBehalfOf", null);
    app.decorateRequest("auditNote", null);

    const headers = securityHeaders({ csp: STRICT_CSP, tls: options.tls });
    const policy = (hostHeader: string | undefined) => {
      const listening = app.server.address() as AddressInfo | null;
      // Not listening: inject() in tests; the request's own port stands in for the bound one.
      const fromHeader = Number(/:(\d+)$/.exec(hostHeader ?? "")?.[1]);
      const port = listening?.port ?? (fromHeader > 0 ? fromHeader : options.httpPort);
      return { allowedHosts: defaultAllowedHosts(port, options.hostNames), allowedOrigins: [] };
    };

    const auditDenied = (request: FastifyRequest, action: string, reason: string) =>
      service.record(request, {
        action,
        target: `${request.method} ${request.url.split("?")[0]}`,
        result: "denied",
        reason,
      });

    app.addHook("onRequest", async (request, reply) => {
      reply.headers(headers);
      request.onBehalfOf = onBehalfOf(request);
      const config = request.routeOptions.config?.bms;
      const mutating = !SAFE_METHODS.has(request.method);
      const action = config?.auditAction ?? "http.request";

      const host = checkHost(request.headers, policy(request.headers.host));
      if (!host.ok) {
        if (mutating) auditDenied(request, action, host.message);
        return deny(reply, host.status, host.code, host.message);
      }
      const query = request.query as Record<string, unknown> | undefined;
      if (query && typeof query === "object" && "token" in query) {
        return deny(
          reply,
          400,
          "token_in_url",
          "tokens are accepted only in the Authorization header (Bearer), never in the URL",
        );
      }

      const bearer = request.headers.authorization;
      const cookie = cookieValue(request, SESSION_COOKIE);
      const isLogin = config?.auditAction === "auth.login";
      if ((bearer || cookie || isLogin) && service.limiter.lockedUntil(request.ip) !== undefined) {
        const until = service.limiter.lockedUntil(request.ip)!;
        reply.header("retry-after", String(Math.ceil((until - Date.now()) / 1000)));
        return deny(
          reply,
          429,
          "locked_out",
          "too many failed logins or bad tokens from this address; try again later",
        );
      }

      if (bearer !== undefined) {
        const secret = /^bearer\s+/i.test(bearer) ? bearer.replace(/^bearer\s+/i, "").trim() : "";
        const verdict = secret ? service.verify(secret) : ({ ok: false, reason: "unknown" } as const);
        if (verdict.ok) request.identity = { ...verdict.identity, via: "bearer" };
        else {
          request.credentialProblem =
            verdict.reason === "expired"
              ? "the token has expired"
              : verdict.reason === "revoked"
                ? "the token has been revoked"
                : "the token is not valid";
          service.failed(request);
        }
      } else if (cookie && !isLogin) {
        const session = service.sessions.touch(cookie);
        if (session && (session.token_id === null || service.tokens.stillValid(session.token_id))) {
          request.identity = {
            kind: session.kind,
            name: session.name,
            role: session.role,
            tokenId: session.token_id,
            via: "session",
            sessionId: cookie,
          };
        } else {
          if (session) service.sessions.close(cookie);
          request.credentialProblem = "the session has ended; sign in again";
          reply.header("set-cookie", service.clearedCookie());
        }
      }

      if (mutating) {
        const sessionId = request.identity?.via === "session" ? request.identity.sessionId : undefined;
        const sent = request.headers[CSRF_HEADER];
        const csrf = Array.isArray(sent) ? sent[0] : sent;
        const verdict = checkStateChange(
          {
            method: request.method,
            headers: request.headers,
            scheme: options.tls ? "https" : "http",
            cookieAuthenticated: sessionId !== undefined,
            ...(sessionId !== undefined && csrf !== undefined
              ? { csrfValid: sameSecret(csrf, csrfTokenOf(sessionId)) }
              : {}),
          },
          policy(request.headers.host),
        );
        if (!verdict.ok) {
          auditDenied(request, action, verdict.message);
          return deny(reply, verdict.status, verdict.code, verdict.message);
        }
      }
    });

    /** The role check every route runs (route() installs it as the preHandler). */
    app.decorate(
      "authorize",
      (need: Role | "public") => async (request: FastifyRequest, reply: FastifyReply) => {
        if (need === "public") return;
        const identity = request.identity;
        const mutating = !SAFE_METHODS.has(request.method);
        const action = request.routeOptions.config?.bms?.auditAction ?? "http.read";
        if (!identity) {
          if (need === "viewer" && options.publicRead && !request.credentialProblem) return;
          const message =
            request.credentialProblem ??
            `this needs a signed-in ${need} or higher (Authorization: Bearer <token>)`;
          // Anonymous reads are the dashboard asking "who am I allowed to be": not audited, or every
          // poll of a signed-out tablet would fill the trail. Bad credentials and state changes are.
          if (mutating || request.credentialProblem) auditDenied(request, action, message);
          return deny(reply, 401, "unauthenticated", message, true);
        }
        if (!roleAllows(identity.role, need)) {
          const message = `the ${identity.role} role may not do this (needs ${need})`;
          auditDenied(request, action, message);
          return deny(reply, 403, "forbidden", message);
        }
      },
    );

    const prune = () => {
      service.sessions.prune();
      service.audits.prune(options.auditDays);
    };
    prune();
    const housekeeping = setInterval(prune, 10 * 60_000);
    housekeeping.unref();
    app.addHook("onClose", async () => clearInterval(housekeeping));
  },
  { name: "auth", dependencies: ["storage"] },
);

declare module "fastify" {
  interface FastifyInstance {
    authorize(need: Role | "public"): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  }
}
