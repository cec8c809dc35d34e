import { ErrorResponseSchema } from "@bms/schemas";
import { z } from "zod";
import { type DocumentedRoute, documentedRoutes } from "../http/route";
import { SUPERVISOR_VERSION } from "../version";

type Json = Record<string, unknown>;

function schemaOf(schema: z.core.$ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

/** Query and path parameters come from the route's object schemas, one OpenAPI parameter per key. */
function parametersOf(schema: z.core.$ZodType | undefined, where: "query" | "path"): Json[] {
  if (!schema) return [];
  const json = schemaOf(schema, "input") as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: property,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
  }));
}

function operationOf(route: DocumentedRoute): Json {
  const errors = { content: { "application/json": { schema: schemaOf(ErrorResponseSchema, "output") } } };
  const responses: Json = {
    200: {
      description: "OK",
      ...(route.response
        ? { content: { "application/json": { schema: schemaOf(route.response, "output") } } }
        : {}),
    },
    422: { description: "Invalid input: `errors` holds one {path, message} per problem", ...errors },
  };
  if (route.auth !== "public") {
    responses[401] = { description: "No identity, or an expired or revoked token or session", ...errors };
    responses[403] = { description: `The identity's role is below ${route.auth}`, ...errors };
  }
  return {
    summary: route.summary,
    description:
      route.auth === "public"
        ? "Public: no identity needed."
        : `Needs the ${route.auth} role or higher${route.auth === "viewer" ? " (or --public-read)" : ""}.` +
          (route.auditAction ? ` Audited as \`${route.auditAction}\`.` : ""),
    tags: route.tags,
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[/:{}.]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    "x-role": route.auth,
    ...(route.auditAction ? { "x-audit-action": route.auditAction } : {}),
    ...(route.auth === "public" ? { security: [] } : { security: [{ bearer: [] }, { session: [] }] }),
    parameters: [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")],
    ...((route.body ?? route.documentedBody)
      ? {
          requestBody: {
            required: true,
            content: {
              [route.bodyMediaType ?? "application/json"]: {
                schema: schemaOf((route.body ?? route.documentedBody)!, "input"),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, built from the same Zod schemas the routes validate with. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const route of [...documentedRoutes].sort((a, b) => a.url.localeCompare(b.url))) {
    const path = route.url.replace(/:(\w+)/g, "{$1}").replace(/(.)\/$/, "$1");
    paths[path] ??= {};
    (paths[path] as Json)[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "BMS IoT Supervisor API",
      version: SUPERVISOR_VERSION,
      description:
        "The site's BACnet/IP authority. JSON fields are snake_case; points are canonical references " +
        "(bacnet:<device>/<objectType>:<instance>.<property>). Every route names the least role it needs " +
        "(viewer < operator < admin, `x-role`): send `Authorization: Bearer <token>` (the bootstrap admin token " +
        "or a named token), or sign in at /api/auth/login for the dashboard's session cookie, whose state " +
        "changes also need Origin and the `x-csrf-token` header. State changes are audited (`x-audit-action`).",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Bootstrap admin token or a named API token" },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "bms_supervisor_session",
          description: "Dashboard session from POST /api/auth/login (HttpOnly, SameSite=Strict)",
        },
      },
    },
    paths,
  };
}
