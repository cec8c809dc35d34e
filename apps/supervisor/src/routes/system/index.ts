import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import {
  installUpdate,
  RESTART_FOR_UPDATE,
  rollbackUpdate,
  UpdateError,
  updatePlaces,
} from "../../release/update";

/** A release bundle is ~10 MB; room for it to grow, far below what would strain a controller's disk. */
const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

const UpdateResponseSchema = z.object({
  version: z.string(),
  previous: z.string(),
  restarting: z.literal(true),
});

/**
 * Over-the-air update (admin): the body is the release tarball as application/octet-stream, the header
 * `x-bms-signature` its ed25519 signature in base64 (the `.sig` file `pnpm release --sign` writes). The
 * supervisor answers 202 and restarts into the new version through its launcher, which rolls back if the
 * new version is not healthy within its window. Refusals: 409 update_unsupported / update_key_missing,
 * 422 bad_signature / bad_bundle; the running version keeps running in every case.
 */
export async function systemRoutes(app: FastifyInstance, opts: { dataDir: string }): Promise<void> {
  // Scoped to this plugin: no other route accepts raw bytes.
  app.addContentTypeParser(
    "application/octet-stream",
    { parseAs: "buffer", bodyLimit: MAX_BUNDLE_BYTES },
    (_request, body, done) => done(null, body),
  );

  route(app, {
    method: "POST",
    url: "/update",
    summary:
      "Upload a signed release bundle; the supervisor verifies it and restarts into it (rolled back if unhealthy)",
    tags: ["system"],
    auth: "admin",
    audit: { action: "system.update" },
    bodyMediaType: "application/octet-stream",
    documentedBody: z
      .string()
      .describe("the release .tar.gz as application/octet-stream; header x-bms-signature"),
    response: UpdateResponseSchema,
    async handler(_input, request, reply) {
      const bundle = request.body;
      const signature = request.headers["x-bms-signature"];
      const problems = [
        ...(Buffer.isBuffer(bundle) && bundle.length > 0
          ? []
          : [{ path: "(body)", message: "send the bundle as application/octet-stream", code: "bad_bundle" }]),
        ...(typeof signature === "string" && signature.length > 0
          ? []
          : [
              {
                path: "x-bms-signature",
                message: "the bundle's signature (base64) is missing",
                code: "bad_signature",
              },
            ]),
      ];
      if (problems.length > 0) throw new HttpError(422, "invalid update", problems);
      try {
        const result = await installUpdate(updatePlaces(opts.dataDir), bundle as Buffer, signature as string);
        if (request.auditNote) request.auditNote.target = `${result.previous} -> ${result.version}`;
        request.log.warn({ ...result }, "update installed: restarting into it");
        restartAfter(reply.raw);
        reply.status(202);
        return { ...result, restarting: true as const };
      } catch (error) {
        if (!(error instanceof UpdateError)) throw error;
        const status = error.code === "update_unsupported" || error.code === "update_key_missing" ? 409 : 422;
        throw new HttpError(status, error.message, [
          {
            path: error.code === "bad_signature" ? "x-bms-signature" : "(body)",
            message: error.message,
            code: error.code,
          },
        ]);
      }
    },
  });

  route(app, {
    method: "POST",
    url: "/update/rollback",
    summary:
      "Go back to the release that ran before the last update (refused across a schema change); restarts into it",
    tags: ["system"],
    auth: "admin",
    audit: { action: "system.update.rollback" },
    response: UpdateResponseSchema,
    async handler(_input, request, reply) {
      try {
        const schemaNow = app.db.pragma("user_version", { simple: true }) as number;
        const result = rollbackUpdate(updatePlaces(opts.dataDir), schemaNow);
        if (request.auditNote) request.auditNote.target = `${result.previous} -> ${result.version}`;
        request.log.warn({ ...result }, "update rolled back: restarting into the previous release");
        restartAfter(reply.raw);
        reply.status(202);
        return { ...result, restarting: true as const };
      } catch (error) {
        if (!(error instanceof UpdateError)) throw error;
        throw new HttpError(409, error.message, [
          { path: "(state)", message: error.message, code: error.code },
        ]);
      }
    },
  });

  /** After the answer is out: close cleanly (the database, the BACnet socket), then let the launcher switch. */
  function restartAfter(raw: NodeJS.WritableStream) {
    raw.once("finish", () => {
      setTimeout(() => {
        void app.close().finally(() => process.exit(RESTART_FOR_UPDATE));
      }, 100);
    });
  }
}
