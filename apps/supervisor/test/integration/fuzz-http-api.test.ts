import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  api,
  type HostileBody,
  hostileBody,
  hostileValue,
  isCleanAnswer,
  REPO_ROOT,
  type SupervisorHandle,
  startSupervisor,
} from "@bms/test-support";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../fixtures";

/**
 * Generated hostile bodies to every mutating route of a real supervisor process, as its admin (so the
 * body, not the role, is what is judged): each answer must be a 4xx (or a success), never a 5xx and
 * never a stack trace, and the process must go on answering. 127.0.111.0/24 and UDP 48112-48113.
 */
const SEED = Number(process.env.BMS_FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.BMS_FUZZ_RUNS ?? 200);

interface Route {
  method: string;
  path: string;
}

/** Every POST/PUT/DELETE route with a body, from the committed OpenAPI document. */
function mutatingRoutes(): Route[] {
  const doc = JSON.parse(readFileSync(join(REPO_ROOT, "docs/api/openapi.json"), "utf8")) as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(operations))
      if (["post", "put", "patch"].includes(method) && operation.requestBody)
        // Path parameters get a plausible value: the body is what is being tested.
        routes.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "1") });
  return routes;
}

describe("hostile bodies to the supervisor's HTTP API", () => {
  let sup: SupervisorHandle;
  const routes = mutatingRoutes();

  beforeAll(async () => {
    sup = await startSupervisor({
      bacnetBind: "127.0.111.1",
      bacnetPort: 48112,
      broadcast: "127.255.255.255:48113",
    });
  });

  afterAll(async () => {
    await sup?.stop();
  });

  async function send(route: Route, hostile: HostileBody): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${sup.token}` };
    if (hostile.contentType) headers["content-type"] = hostile.contentType;
    try {
      const response = await fetch(`${sup.url}${route.path}`, {
        method: route.method,
        headers,
        body: hostile.body,
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      // The server may close a connection on an over-limit body before reading it all.
      if (hostile.kind === "over-limit") return { status: 413, text: "" };
      throw error;
    }
  }

  it("answers every route and body with a 4xx or a success, never a 5xx or a stack", async () => {
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), hostileBody(), async (route, hostile) => {
        const { status, text } = await send(route, hostile);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (!isCleanAnswer(status, text))
          failures.push(`${route.method} ${route.path} <- ${hostile.kind}: ${status} ${text.slice(0, 300)}`);
        expect(sup.child.exitCode).toBeNull();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(failures, `${failures.join("\n")}\n${sup.output().slice(-4000)}`).toEqual([]);

    // The bodies were judged, not turned away at the door: most are refused as invalid (422), the
    // over-limit ones as too large (413), the wrong media types as such (415).
    expect(statuses.get(422) ?? 0, JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThan(RUNS / 3);
    expect(statuses.get(401) ?? 0).toBe(0);
    expect((await api(sup.url, "/api/health")).status).toBe(200);
  });

  it("refuses a deployment package with a hostile value deep in a node's config (was a 500: stack overflow)", async () => {
    // A valid package, then one node config value replaced: the free-form `config` record lets any
    // JSON through the schema, and the checksum's canonical JSON walked it recursively.
    const valid = JSON.stringify(packageOf(skeletonFlow({ limit: 50 })));
    const target = '"config":{"point":"bacnet:1001/analogInput:1"}';
    expect(valid).toContain(target);
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        hostileValue,
        fc.constantFrom("/api/config/validate", "/api/config/deploy"),
        async (v, path) => {
          const body = valid.replace(
            target,
            `"config":{"point":"bacnet:1001/analogInput:1","extra":${v.json}}`,
          );
          const { status, text } = await send(
            { method: "POST", path },
            {
              kind: v.kind,
              contentType: "application/json",
              body,
            },
          );
          statuses.push(status);
          expect(isCleanAnswer(status, text), `${path} <- ${v.kind}: ${status} ${text.slice(0, 300)}`).toBe(
            true,
          );
          // The changed content no longer matches the package's checksum: refused either way.
          expect(status).toBe(422);
        },
      ),
      { seed: SEED, numRuns: Math.ceil(RUNS / 5), endOnFailure: true },
    );
    const deep = `{"x":${"[".repeat(20_000)}1${"]".repeat(20_000)}}`;
    const refused = await send(
      { method: "POST", path: "/api/config/deploy" },
      { kind: "deep", contentType: "application/json", body: valid.replace(target, `"config":${deep}`) },
    );
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.text)).toMatchObject({
      errors: [{ path: "(body)", message: "nested deeper than 64 levels" }],
    });
    expect((await api(sup.url, "/api/health")).status).toBe(200);
  });
});
