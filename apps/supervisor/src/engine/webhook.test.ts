import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tempDir } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertsRepo } from "../storage/alerts-repo";
import { openDatabase } from "../storage/database";
import { EventsRepo } from "../storage/events-repo";
import { AlertSink } from "./alert-sink";
import { parseAllowEntry, postToTarget, WebhookPolicy } from "./webhook";

/** A real HTTP server on loopback that records what reaches it and answers with `answer`. */
async function listen(answer: (res: import("node:http").ServerResponse) => void) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      hits.push(`${req.method} ${req.url} ${body}`);
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, hits, port: (server.address() as AddressInfo).port };
}

describe("alarm webhook targets (SSRF)", () => {
  let receiver: Awaited<ReturnType<typeof listen>>;
  let redirector: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    receiver = await listen((res) => res.end("ok"));
    redirector = await listen((res) => {
      res.statusCode = 302;
      res.setHeader("location", `http://127.0.0.1:${receiver.port}/stolen`);
      res.end();
    });
  });
  afterAll(() => {
    receiver.server.close();
    redirector.server.close();
  });

  it("refuses everything when the admin allowed nothing, and loopback unless named", async () => {
    const none = await new WebhookPolicy([]).check(`http://127.0.0.1:${receiver.port}/hook`);
    expect(none).toMatchObject({ ok: false, message: expect.stringContaining("--webhook-allow") });
    const other = await new WebhookPolicy(["hooks.example.com"]).check(`http://127.0.0.1:${receiver.port}/`);
    expect(other).toMatchObject({
      ok: false,
      message: expect.stringContaining("not on the webhook allowlist"),
    });
    const wrongPort = await new WebhookPolicy(["127.0.0.1:1"]).check(`http://127.0.0.1:${receiver.port}/`);
    expect(wrongPort.ok).toBe(false);
    expect(receiver.hits).toEqual([]);
  });

  it("refuses an allowed name that resolves to loopback or link-local (DNS pointing inward)", async () => {
    // The OS resolver's answer is the input here; a table stands in for DNS records we cannot publish.
    const records: Record<string, string> = {
      "hooks.example.com": "127.0.0.1",
      "meta.example.com": "169.254.169.254",
    };
    const policy = new WebhookPolicy(["hooks.example.com", "meta.example.com"], async (host) => [
      { address: records[host]!, family: 4 },
    ]);
    expect(await policy.check("http://hooks.example.com/x")).toMatchObject({
      ok: false,
      message: expect.stringContaining("resolves to 127.0.0.1"),
    });
    expect(await policy.check("http://meta.example.com/latest/meta-data")).toMatchObject({
      ok: false,
      message: expect.stringContaining("169.254.169.254"),
    });
  });

  it("refuses URLs that smuggle credentials, a query or a fragment", async () => {
    const policy = new WebhookPolicy(["127.0.0.1"]);
    for (const url of [
      `http://user:pw@127.0.0.1:${receiver.port}/`,
      `http://127.0.0.1:${receiver.port}/?x=1`,
      `http://127.0.0.1:${receiver.port}/#frag`,
      "file:///etc/passwd",
    ]) {
      expect((await policy.check(url)).ok, url).toBe(false);
    }
    expect(() => parseAllowEntry("http://x/")).toThrow(/not host or host:port/);
  });

  it("posts to a loopback target the admin named literally", async () => {
    const checked = await new WebhookPolicy([`127.0.0.1:${receiver.port}`]).check(
      `http://127.0.0.1:${receiver.port}/hook`,
    );
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    await postToTarget(checked.target, { hello: 1 });
    expect(receiver.hits).toEqual(['POST /hook {"hello":1}']);
  });

  it("never follows a redirect", async () => {
    const checked = await new WebhookPolicy(["127.0.0.1"]).check(`http://127.0.0.1:${redirector.port}/hook`);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const before = receiver.hits.length;
    await expect(postToTarget(checked.target, { a: 1 })).rejects.toThrow(/302 redirect .* not followed/);
    expect(redirector.hits).toHaveLength(1);
    expect(receiver.hits.length).toBe(before);
  });

  it("reports a refused alarm webhook as an event and to the audit callback, path hidden", async () => {
    const db = openDatabase(tempDir("webhook-sink"));
    const events = new EventsRepo(db);
    const refused: string[] = [];
    const sink = new AlertSink(new AlertsRepo(db), events, new WebhookPolicy([]), (url, nodeId, message) =>
      refused.push(`${nodeId} ${url} ${message}`),
    );
    sink.handle({
      nodeId: "alarm",
      key: "k",
      state: "active",
      priority: "high",
      message: "hot",
      latched: false,
      webhookUrl: `http://127.0.0.1:${receiver.port}/secret-path-key`,
      timestamp: Date.now(),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(`alarm http://127.0.0.1:${receiver.port}/…`);
    expect(refused[0]).not.toContain("secret-path-key");
    const logged = events.recent({ limit: 10 }).map((e) => e.message);
    expect(logged.some((m) => m.includes("refused"))).toBe(true);
    expect(receiver.hits.some((h) => h.includes("secret-path-key"))).toBe(false);
    db.close();
  });
});
