import { RoleSchema } from "@bms/schemas";
import { newSecret } from "@bms/security";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { cookieValue, csrfTokenOf, SESSION_COOKIE } from "../../plugins/auth";

const IdentitySchema = z.object({
  kind: z.enum(["bootstrap", "token"]),
  name: z.string(),
  role: RoleSchema,
});

const WhoAmISchema = z.object({
  identity: IdentitySchema.nullable(),
  /** Present for a cookie session: send it back as `x-csrf-token` on every state change. */
  csrf_token: z.string().optional(),
  /** Whether reads are open without signing in (`--public-read`). */
  public_read: z.boolean(),
  /** When the session ends without activity, in minutes (cookie sessions only). */
  idle_minutes: z.number().optional(),
});

const TokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: RoleSchema,
  created_at: z.string(),
  created_by: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const TokenNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N} ._@-]+$/u, "letters, digits, spaces and . _ @ - only");

/** Sign-in for the dashboard, whoami, and the named API tokens (admin). */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { auth } = app;

  route(app, {
    method: "GET",
    url: "/whoami",
    summary: "Who the request is authenticated as (null when nobody), and the session's CSRF token",
    tags: ["auth"],
    auth: "public",
    response: WhoAmISchema,
    handler(_input, request) {
      const id = request.identity;
      return {
        identity: id ? { kind: id.kind, name: id.name, role: id.role } : null,
        ...(id?.sessionId
          ? {
              csrf_token: csrfTokenOf(id.sessionId),
              idle_minutes: auth.options.session.idleMs / 60_000,
            }
          : {}),
        public_read: auth.options.publicRead,
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/login",
    summary: "Sign in with a token: sets the HttpOnly session cookie and answers the CSRF token",
    tags: ["auth"],
    auth: "public",
    audit: { action: "auth.login" },
    body: z.object({ token: z.string().min(1).max(500) }),
    response: WhoAmISchema,
    handler({ body }, request, reply) {
      const verdict = auth.verify(body.token);
      const note = request.auditNote!;
      if (!verdict.ok) {
        auth.failed(request);
        note.result = "denied";
        note.reason = `login with ${verdict.reason === "unknown" ? "an unknown" : `a ${verdict.reason}`} token`;
        reply.header("www-authenticate", 'Bearer realm="bms-supervisor"');
        return reply.status(401).send({
          error: verdict.reason === "unknown" ? "the token is not valid" : `the token is ${verdict.reason}`,
          code: "login_failed",
        });
      }
      const id = verdict.identity;
      // A new session id on every sign-in (no fixation); the one this browser had before ends here.
      const previous = cookieValue(request, SESSION_COOKIE);
      if (previous) auth.sessions.close(previous);
      const sessionId = newSecret();
      auth.sessions.open(sessionId, { kind: id.kind, name: id.name, role: id.role, token_id: id.tokenId });
      note.actor = {
        kind: id.kind,
        name: id.name,
        role: id.role,
        ...(request.onBehalfOf ? { on_behalf_of: request.onBehalfOf } : {}),
      };
      note.target = id.name;
      reply.header("set-cookie", auth.sessionCookie(sessionId));
      return {
        identity: { kind: id.kind, name: id.name, role: id.role },
        csrf_token: csrfTokenOf(sessionId),
        public_read: auth.options.publicRead,
        idle_minutes: auth.options.session.idleMs / 60_000,
      };
    },
  });

  route(app, {
    method: "POST",
    url: "/logout",
    summary: "Sign out: ends the session on the server and clears the cookie",
    tags: ["auth"],
    auth: "public",
    audit: { action: "auth.logout" },
    handler(_input, request, reply) {
      const sessionId = request.identity?.sessionId;
      const ended = sessionId ? auth.sessions.close(sessionId) : false;
      if (!ended) request.auditNote!.reason = "no session to end";
      reply.header("set-cookie", auth.clearedCookie());
      return { ended };
    },
  });

  route(app, {
    method: "GET",
    url: "/tokens",
    summary: "Named API tokens (never their secrets)",
    tags: ["auth"],
    auth: "admin",
    response: z.object({ tokens: z.array(TokenSchema) }),
    handler: () => ({ tokens: auth.tokens.list() }),
  });

  route(app, {
    method: "POST",
    url: "/tokens",
    summary: "Create a named token with a role and an optional expiry; the secret is answered once",
    tags: ["auth"],
    auth: "admin",
    audit: { action: "token.create", target: ({ body }) => body.name },
    body: z.object({
      name: TokenNameSchema,
      role: RoleSchema,
      expires_at: z.iso.datetime({ offset: true }).optional(),
    }),
    response: z.object({ token: TokenSchema, secret: z.string() }),
    handler({ body }, request, reply) {
      const expiresAt = body.expires_at ? Date.parse(body.expires_at) : null;
      if (expiresAt !== null && expiresAt <= Date.now())
        throw new HttpError(422, "invalid body", [{ path: "expires_at", message: "must be in the future" }]);
      const created = auth.tokens.create({
        name: body.name,
        role: body.role,
        createdBy: request.identity?.name ?? "anonymous",
        expiresAt,
      });
      request.auditNote!.details = {
        id: created.token.id,
        role: body.role,
        expires_at: created.token.expires_at,
      };
      reply.status(201);
      return created;
    },
  });

  route(app, {
    method: "DELETE",
    url: "/tokens/:id",
    summary: "Revoke a named token for good (its sessions end with it)",
    tags: ["auth"],
    auth: "admin",
    audit: { action: "token.revoke", target: ({ params }) => `token ${params.id}` },
    params: z.object({ id: z.coerce.number().int().min(1) }),
    response: z.object({ token: TokenSchema }),
    handler({ params }, request) {
      if (!auth.tokens.revoke(params.id)) throw new HttpError(404, `no token with id ${params.id}`);
      const token = auth.tokens.get(params.id)!;
      request.auditNote!.target = token.name;
      request.auditNote!.details = { id: token.id, role: token.role };
      return { token };
    },
  });
}
