import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where `dashboard/build.ts` writes the bundle (at install, or `pnpm --filter @bms/supervisor build:dashboard`). */
export const DASHBOARD_DIST = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>BMS Supervisor</title>
<body style="font-family:system-ui;margin:3rem;max-width:40rem">
<h1>The dashboard is not built</h1>
<p>The supervisor API is running. Build the dashboard with
<code>pnpm --filter @bms/supervisor build:dashboard</code> (it is normally built by <code>pnpm install</code>)
and reload this page.</p></body>`;

/**
 * Serves the supervisor's own web dashboard at `/`. The page and its assets are public: they hold no
 * data. Every figure the page shows comes from the API, which applies the viewer and admin token rules.
 */
export async function dashboardPlugin(app: FastifyInstance): Promise<void> {
  if (!existsSync(`${DASHBOARD_DIST}/index.html`)) {
    app.log.warn(`dashboard bundle missing in ${DASHBOARD_DIST}; serving a notice at /`);
    app.get("/", async (_request, reply) => reply.status(503).type("text/html").send(NOT_BUILT));
    return;
  }
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIST,
    prefix: "/",
    // build.ts writes .br and .gz next to each file: a Pi should not compress the same bytes per request.
    preCompressed: true,
    // Our own cache-control below; @fastify/static's default (max-age=0) would override it.
    cacheControl: false,
    setHeaders(reply, path) {
      // Asset names carry a content hash, so they never change; index.html must always be revalidated.
      reply.setHeader(
        "cache-control",
        path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
}
