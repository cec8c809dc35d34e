import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { eventually, tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpPointIO } from "../../src/protocols/http";
import type { HttpPointIO } from "../../src/protocols/http/http-plugin";
import type { PointChange } from "../../src/protocols/point-io";

// 127.0.42.0/24 and ports 18830-18849 are this file's and mqtt-plugin.test.ts's.
const HOST = "127.0.42.2";
const TOKEN = "tok-7f3a9c1e5b2d4a6f";

interface Seen {
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real local HTTP server per port (each port is its own host for the per-host interval). */
async function serve(
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({
        at: Date.now(),
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, HOST, resolve));
  return { seen, url: `http://${HOST}:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function makePlugin(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const logs: string[] = [];
  const plugin = createHttpPointIO(
    {
      config,
      logger: {
        info: (msg, data) => logs.push(`${msg} ${JSON.stringify(data)}`),
        warn: (msg, data) => logs.push(`${msg} ${JSON.stringify(data)}`),
      },
      now: () => Date.now(),
      dataDir: tempDir("http-plugin"),
    },
    env,
  );
  return { plugin, logs };
}

const gaps = (seen: Seen[]) => seen.slice(1).map((s, i) => s.at - (seen[i]?.at ?? 0));

describe("HTTP plugin against a local HTTP server", () => {
  const servers: Awaited<ReturnType<typeof serve>>[] = [];
  const plugins: HttpPointIO[] = [];
  let weather: Awaited<ReturnType<typeof serve>>;
  let counter = 0;

  beforeAll(async () => {
    weather = await serve(18840, (req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}` || req.headers["x-site"] !== "plant-7")
        return json(res, 401, { error: "unauthorized" });
      if (req.url?.startsWith("/v1/forecast?latitude=52.52"))
        return json(res, 200, { current: { temperature_2m: 12.5, wind: [3, 4], raining: false } });
      if (req.url === "/counter") return json(res, 200, { n: ++counter });
      json(res, 404, {});
    });
    servers.push(weather);
  });

  afterAll(async () => {
    for (const p of plugins) await p.shutdown();
    for (const s of servers) await s.close();
  });

  const start = async (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    const made = makePlugin(config, env);
    plugins.push(made.plugin);
    await made.plugin.start();
    return made;
  };

  it("reads JSON paths with headers and a bearer token that never shows", async () => {
    const { plugin, logs } = await start(
      {
        min_host_interval_ms: 50,
        endpoints: [
          {
            name: "weather",
            url: `${weather.url}/v1/forecast`,
            query: { latitude: "52.52", longitude: "13.41" },
            headers: { "x-site": "plant-7" },
            bearer_token_env: "TEST_WEATHER_TOKEN",
            units: { "current.temperature_2m": "°C" },
          },
          {
            name: "wrong",
            url: `${weather.url}/v1/forecast`,
            headers: { "x-site": "plant-7" },
            bearer_token: "not-the-token",
          },
        ],
      },
      { TEST_WEATHER_TOKEN: TOKEN },
    );
    const readings = await plugin.read([
      "http:weather/current.temperature_2m",
      "http:weather/current.wind[1]",
      "http:weather/current.raining",
      "http:weather/current.missing",
      "http:weather/current",
      "http:nowhere/x",
      "http:wrong/current.temperature_2m",
    ]);
    expect(readings.map((r) => [r.value, r.quality, r.code])).toEqual([
      [12.5, "good", undefined],
      [4, "good", undefined],
      [false, "good", undefined],
      [null, "bad", "decode_error"],
      [null, "bad", "decode_error"],
      [null, "bad", "invalid_ref"],
      [null, "bad", "device_error"],
    ]);
    expect(readings[6]?.reason).toContain("HTTP 401");
    const sent = weather.seen.find((s) => s.path.startsWith("/v1/forecast?latitude=52.52"));
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent?.path).toBe("/v1/forecast?latitude=52.52&longitude=13.41");
    // Browse is the endpoint tester: the answer's leaves with their values and units.
    const roots = await plugin.browse();
    expect(roots.map((r) => r.name)).toEqual(["weather", "wrong"]);
    const fields = await plugin.browse("e:weather");
    expect(fields.find((f) => f.ref === "http:weather/current.temperature_2m")).toMatchObject({
      units: "°C",
      reading: { value: 12.5, quality: "good" },
    });
    const shown = JSON.stringify([plugin.health(), roots, fields, readings]) + logs.join("\n");
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain("not-the-token");
    expect(shown).not.toContain("latitude");
    expect(plugin.health().state).toBe("degraded");
  });

  it("waits out Cache-Control max-age before asking again", async () => {
    const cached = await serve(18841, (_req, res) =>
      json(res, 200, { v: 1 }, { "cache-control": "public, max-age=3" }),
    );
    servers.push(cached);
    await start({ endpoints: [{ name: "cached", url: cached.url, interval_s: 1 }] });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(cached.seen).toHaveLength(1);
    await eventually(() => (cached.seen.length >= 2 ? true : undefined), 5_000, 50);
    expect(gaps(cached.seen)[0]).toBeGreaterThanOrEqual(2_900);
  });

  it("honours Retry-After: bad quality (busy) meanwhile, then the value", async () => {
    let calls = 0;
    const limited = await serve(18842, (_req, res) =>
      ++calls === 1
        ? json(res, 429, { error: "slow down" }, { "retry-after": "2" })
        : json(res, 200, { v: 7 }),
    );
    servers.push(limited);
    const { plugin } = await start({ endpoints: [{ name: "limited", url: limited.url, interval_s: 1 }] });
    const [first] = await plugin.read(["http:limited/v"]);
    expect(first).toMatchObject({ quality: "bad", code: "busy" });
    expect(first?.reason).toContain("retry after 2 s");
    await eventually(
      async () => ((await plugin.read(["http:limited/v"]))[0]?.value === 7 ? true : undefined),
      6_000,
      50,
    );
    expect(gaps(limited.seen)[0]).toBeGreaterThanOrEqual(1_900);
  });

  it("keeps a minimum interval per host across endpoints", async () => {
    const shared = await serve(18843, (_req, res) => json(res, 200, { ok: true }));
    servers.push(shared);
    await start({
      min_host_interval_ms: 700,
      endpoints: [
        { name: "a", url: `${shared.url}/a`, interval_s: 1 },
        { name: "b", url: `${shared.url}/b`, interval_s: 1 },
        { name: "c", url: `${shared.url}/c`, interval_s: 1 },
      ],
    });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(shared.seen.length).toBeGreaterThanOrEqual(4);
    expect(new Set(shared.seen.map((s) => s.path))).toEqual(new Set(["/a", "/b", "/c"]));
    for (const gap of gaps(shared.seen)) expect(gap).toBeGreaterThanOrEqual(690);
  });

  it("writes by POST and PUT, and names refusals with codes", async () => {
    const target = await serve(18844, (req, res) => {
      if (req.url === "/readonly") return json(res, 403, { error: "read-only" });
      res.writeHead(204).end();
    });
    servers.push(target);
    const { plugin } = await start({
      min_host_interval_ms: 0,
      endpoints: [
        { name: "sp", url: `${target.url}/sp`, write: { method: "POST" }, bearer_token: TOKEN },
        { name: "mode", url: `${target.url}/mode`, write: { method: "PUT", url: `${target.url}/mode/set` } },
        { name: "ro", url: `${target.url}/readonly`, write: { method: "POST" } },
        { name: "plain", url: `${target.url}/plain` },
      ],
    });
    const outcomes = await plugin.write([
      { ref: "http:sp/setpoints.zone1", value: 21.5 },
      { ref: "http:mode/mode", value: "eco" },
      { ref: "http:ro/x", value: 1 },
      { ref: "http:plain/x", value: 1 },
      { ref: "http:sp/x", value: null },
    ]);
    expect(outcomes.map((o) => o.code ?? "ok")).toEqual(["ok", "ok", "write_denied", "unsupported", "ok"]);
    const post = target.seen.find((s) => s.method === "POST" && s.path === "/sp");
    expect(JSON.parse(post?.body ?? "")).toEqual({ setpoints: { zone1: 21.5 } });
    expect(post?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // The relinquish (null) sent nothing: one POST to /sp only.
    expect(target.seen.filter((s) => s.method === "POST" && s.path === "/sp")).toHaveLength(1);
    const put = target.seen.find((s) => s.method === "PUT");
    expect(put).toMatchObject({ path: "/mode/set", body: '{"mode":"eco"}' });
  });

  it("reads a 500, a timeout and a non-JSON answer as bad quality with codes", async () => {
    const broken = await serve(18845, (req, res) => {
      if (req.url === "/error") return json(res, 500, { error: "boom" });
      if (req.url === "/text") {
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("21.5 degrees");
      }
      setTimeout(() => json(res, 200, { v: 1 }), 2_000);
    });
    servers.push(broken);
    const { plugin } = await start({
      min_host_interval_ms: 0,
      endpoints: [
        { name: "error", url: `${broken.url}/error` },
        { name: "slow", url: `${broken.url}/slow`, timeout_ms: 300 },
        { name: "text", url: `${broken.url}/text` },
        { name: "down", url: "http://127.0.42.2:18846/none", timeout_ms: 1_000 },
      ],
    });
    const readings = await plugin.read(["http:error/v", "http:slow/v", "http:text/v", "http:down/v"]);
    expect(readings.map((r) => [r.quality, r.code])).toEqual([
      ["bad", "device_error"],
      ["bad", "timeout"],
      ["bad", "decode_error"],
      ["bad", "unreachable"],
    ]);
    expect(readings[0]?.reason).toContain("HTTP 500");
    expect(readings[1]?.reason).toContain("300 ms");
    expect(plugin.health()).toMatchObject({ state: "down", connections: 0 });
  });

  it("pushes changed values to subscribers after each poll", async () => {
    const { plugin } = await start({
      endpoints: [
        {
          name: "counter",
          url: `${weather.url}/counter`,
          interval_s: 1,
          headers: { "x-site": "plant-7" },
          bearer_token: TOKEN,
        },
      ],
    });
    const changes: PointChange[] = [];
    plugin.subscribe(["http:counter/n"], (c) => changes.push(...c));
    await eventually(() => (changes.length >= 2 ? true : undefined), 6_000, 50);
    const values = changes.map((c) => c.reading.value as number);
    expect(values[1]).toBeGreaterThan(values[0] ?? Number.POSITIVE_INFINITY);
  });

  it("refuses a bad configuration with the path of each problem", () => {
    expect(() =>
      makePlugin({
        endpoints: [
          { name: "x", url: "http://h/p?key=1" },
          { name: "y", url: "ftp://h" },
          { name: "z", url: "http://u:p@h" },
          { name: "w", url: "http://h", headers: { Authorization: "Bearer x" } },
        ],
      }),
    ).toThrow(
      /endpoints\.0\.url: a query string.*endpoints\.1\.url: the scheme.*endpoints\.2\.url: credentials.*endpoints\.3\.headers\.Authorization/,
    );
  });
});
