import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app";

describe("OpenAPI", () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    app = await buildApp({
      httpPort: 0,
      httpHost: "127.0.0.1",
      dataDir: tempDir("openapi-test"),
      bacnetBind: "127.0.0.1",
      bacnetPort: 0,
      broadcast: "127.255.255.255:47808",
      logLevel: "warn",
      token: "openapi-test-token-00000",
      execute: false,
      requestTimeoutMs: 1000,
      retries: 0,
      perDeviceConcurrency: 1,
      historyRetentionHours: 1,
      historyMinIntervalMs: 1000,
      discoverOnStart: false,
    });
    await app.ready();
  });
  afterAll(() => app?.close());

  it("is served at /docs/openapi.json and documents the deploy body and auth", async () => {
    const response = await app.inject({ method: "GET", url: "/docs/openapi.json" });
    expect(response.statusCode).toBe(200);
    const doc = response.json() as {
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown; "x-role"?: string }>>;
    };
    expect(doc.paths["/api/config/deploy"]?.post?.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(doc.paths["/api/config/deploy"]?.post?.["x-role"]).toBe("operator");
    expect(doc.paths["/api/config/deploy"]?.post?.requestBody).toBeDefined();
    expect(doc.paths["/api/devices/{id}/objects"]?.get).toBeDefined();
    const html = await app.inject({ method: "GET", url: "/docs" });
    expect(html.body).toContain("/api/points/write");
  });

  it("matches the committed docs/api/openapi.json (run `pnpm --filter @bms/supervisor openapi`)", async () => {
    const served = (await app.inject({ method: "GET", url: "/docs/openapi.json" })).json();
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, "docs/api/openapi.json"), "utf8"));
    expect(served).toEqual(committed);
  });
});
