import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installErrorHandler } from "./error-handler";
import { installJsonBodyParser } from "./json-body";

async function app() {
  const server = Fastify();
  installErrorHandler(server);
  installJsonBodyParser(server);
  server.post("/echo", async (request) => ({ got: request.body }));
  return server;
}

const post = async (payload: string) =>
  (await app()).inject({
    method: "POST",
    url: "/echo",
    headers: { "content-type": "application/json" },
    payload,
  });

describe("the JSON body parser", () => {
  it("refuses a body nested deeper than 64 levels with 422 and a problem, not a stack overflow", async () => {
    const response = await post(`{"config":${"[".repeat(20_000)}1${"]".repeat(20_000)}}`);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: "malformed JSON",
      errors: [{ path: "(body)", message: "nested deeper than 64 levels" }],
    });
  });

  it("parses a body at the limit as before", async () => {
    const body = `${"[".repeat(64)}1${"]".repeat(64)}`;
    const response = await post(body);
    expect(response.statusCode).toBe(200);
    expect(JSON.stringify(response.json().got)).toBe(body);
  });

  it("keeps Fastify's checks: prototype poisoning and broken JSON are refused", async () => {
    const poisoned = await post('{"__proto__":{"role":"admin"}}');
    expect(poisoned.statusCode).toBe(422);
    expect(poisoned.json().errors[0].message).toMatch(/not valid JSON/);
    expect((await post('{"a":')).statusCode).toBe(422);
  });
});
