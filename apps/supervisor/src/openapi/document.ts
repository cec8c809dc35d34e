import { ErrorResponseSchema } from "@bms/schemas";
import { z } from "zod";
import { type DocumentedRoute, documentedRoutes } from "../http/route";
import { SUPERVISOR_VERSION } from "../version";

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

/** Query and path parameters come from the route's object schemas, one OpenAPI parameter per key. */
function parametersOf(schema: z.ZodType | undefined, where: "query" | "path"): Json[] {
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
  if (route.auth === "admin") {
    responses[401] = { description: "No token", ...errors };
    responses[403] = { description: "Wrong token", ...errors };
  }
  return {
    summary: route.summary,
    tags: route.tags,
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[/:{}]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    ...(route.auth === "admin" ? { security: [{ bearer: [] }] } : {}),
    parameters: [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")],
    ...((route.body ?? route.documentedBody)
      ? {
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: schemaOf((route.body ?? route.documentedBody)!, "input") },
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
        "(bacnet:<device>/<objectType>:<instance>.<property>). Mutating calls need `Authorization: Bearer <admin token>`.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
