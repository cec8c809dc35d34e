import { PluginBrowseListingSchema, PluginsResponseSchema } from "@bms/schemas";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpError, route } from "../../http/route";
import { RegistryError } from "../../protocols/registry";

/** The point I/O plugins: which are loaded, their health, and their browse trees. */
export async function pluginRoutes(app: FastifyInstance): Promise<void> {
  route(app, {
    method: "GET",
    url: "/",
    summary:
      "Point I/O plugins: name, protocol, version, capabilities and health (connections, errors, last message)",
    tags: ["plugins"],
    auth: "viewer",
    response: PluginsResponseSchema,
    handler() {
      return {
        plugins: app.points.plugins().map((p) => ({
          ...p,
          health: {
            ...p.health,
            last_message_at:
              p.health.last_message_at === undefined
                ? null
                : new Date(p.health.last_message_at).toISOString(),
            last_error: p.health.last_error ?? null,
          },
        })),
      };
    },
  });

  route(app, {
    method: "GET",
    url: "/:protocol/browse",
    summary: "One level of a plugin's browse tree: the roots, or the children of `id`",
    tags: ["plugins"],
    auth: "viewer",
    params: z.object({ protocol: z.string().min(1).max(32) }),
    query: z.object({ id: z.string().min(1).max(512).optional() }),
    response: PluginBrowseListingSchema,
    async handler({ params, query }) {
      try {
        const entries = await app.points.browse(params.protocol, query.id);
        return {
          entries: entries.map(({ reading, ...entry }) =>
            reading
              ? { ...entry, reading: { ...reading, timestamp: new Date(reading.timestamp).toISOString() } }
              : entry,
          ),
        };
      } catch (error) {
        if (error instanceof RegistryError)
          throw new HttpError(error.code === "no_plugin" ? 404 : 422, error.message, [
            { path: "params.protocol", message: error.message },
          ]);
        throw new HttpError(
          502,
          `the ${params.protocol} plugin could not browse: ${(error as Error).message}`,
        );
      }
    },
  });
}
