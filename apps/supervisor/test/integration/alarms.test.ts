import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  api,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageOf, skeletonFlow } from "../fixtures";

const SIM_BIND = "127.0.0.16";
const SIM_PORT = 47848;
const SUP_PORT = 47849;

interface Alert {
  key: string;
  state: string;
  message: string;
  count: number;
  acked_by: string | null;
}

describe("alarms and runtime parameters", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let hook: Server;
  const received: { event: string; alert: Alert }[] = [];
  const override = (value: number | null) =>
    api(sim.webUrl, "/api/devices/1001/objects/analogInput/1/override", { body: { value } });
  const alerts = async (state: "open" | "all" = "all") =>
    (await api<{ alerts: Alert[] }>(sup.url, `/api/alerts?state=${state}`)).body.alerts;

  beforeAll(async () => {
    hook = createServer((request, response) => {
      let body = "";
      request.on("data", (c: Buffer) => {
        body += c.toString();
      });
      request.on("end", () => {
        received.push(JSON.parse(body));
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "skeleton" });
    const hookPort = (hook.address() as AddressInfo).port;
    // Loopback webhooks are refused unless the admin names the address (SSRF guard).
    sup = await startSupervisor({
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      extraArgs: ["--webhook-allow", `127.0.0.1:${hookPort}`],
    });
    await override(26);
    const flow = skeletonFlow({ limit: 30, intervalMs: 300, name: "Zone alarm" });
    flow.nodes = [
      { id: "temp", type: "sensor_read", alias: "temp", config: { point: "bacnet:1001/analogInput:1" } },
      { id: "limit", type: "parameter", config: { name: "high_limit", default: 30 } },
      { id: "hot", type: "threshold", config: { operator: ">", value: 99 } },
      {
        id: "alarm",
        type: "alert",
        config: {
          message: "Zone temperature high: $temp",
          priority: "high",
          mode: "latched",
          key: "zone-1-high",
          webhook_url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        },
      },
    ];
    flow.connections = [
      { from_node: "temp", from_output: "value", to_node: "hot", to_input: "value" },
      { from_node: "limit", from_output: "value", to_node: "hot", to_input: "limit" },
      { from_node: "hot", from_output: "result", to_node: "alarm", to_input: "condition" },
      { from_node: "temp", from_output: "value", to_node: "alarm", to_input: "value" },
    ];
    const deployed = await api(sup.url, "/api/config/deploy", { body: packageOf(flow), token: sup.token });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
  });

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
    hook?.close();
  });

  it("lists the flow's parameters with their defaults", async () => {
    const { body } = await api<{ parameters: { name: string; value: unknown; default: unknown }[] }>(
      sup.url,
      "/api/execution/parameters",
    );
    expect(body.parameters).toEqual([
      {
        name: "high_limit",
        node_id: "limit",
        flow_id: expect.any(String),
        label: "limit",
        default: 30,
        min: null,
        max: null,
        unit: "",
        value: 30,
      },
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await alerts()).toEqual([]);
  });

  it("raises the alarm once when an operator lowers the limit, with the rendered message and a webhook", async () => {
    const refused = await api(sup.url, "/api/execution/parameters/high_limit", {
      method: "PUT",
      body: { value: 25 },
    });
    expect(refused.status).toBe(401);
    const unknown = await api(sup.url, "/api/execution/parameters/nope", {
      method: "PUT",
      body: { value: 1 },
      token: sup.token,
    });
    expect(unknown.status).toBe(404);
    const set = await api(sup.url, "/api/execution/parameters/high_limit", {
      method: "PUT",
      body: { value: 25 },
      token: sup.token,
    });
    expect(set.status).toBe(200);
    const raised = await eventually(async () => {
      const list = await alerts("open");
      return list.length === 1 ? list[0] : undefined;
    });
    expect(raised).toMatchObject({ key: "zone-1-high", state: "active", count: 1 });
    expect(raised.message).toBe("Zone temperature high: 26");
    await new Promise((r) => setTimeout(r, 1000));
    expect((await alerts())[0]?.count).toBe(1);
    await eventually(async () => (received.some((r) => r.event === "raised") ? true : undefined));
  });

  it("stays latched after the condition returns to normal, until acknowledged", async () => {
    await override(22);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await alerts("open"))[0]?.state).toBe("active");

    // A comment longer than the limit is refused at its field, and the alarm stays as it was.
    const tooLong = await api<{ errors: { path: string }[] }>(
      sup.url,
      `/api/alerts/${encodeURIComponent("zone-1-high")}/ack`,
      { body: { comment: "x".repeat(501) }, token: sup.token },
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors.map((e) => e.path)).toEqual(["comment"]);
    expect((await alerts("open"))[0]?.state).toBe("active");

    const ack = await api<{ alert: Alert }>(sup.url, `/api/alerts/${encodeURIComponent("zone-1-high")}/ack`, {
      body: { by: "night operator", comment: "tenant called, window was open" },
      token: sup.token,
    });
    expect(ack.status).toBe(200);
    expect(ack.body.alert.acked_by).toBe("night operator");
    // The operator's comment is kept where acknowledgements are looked up: the audit record.
    const audit = await api<{ records: { action: string; details?: Record<string, unknown> }[] }>(
      sup.url,
      "/api/audit?action=alarm.ack",
      { token: sup.token },
    );
    expect(audit.body.records[0]?.details).toMatchObject({
      by: "night operator",
      comment: "tenant called, window was open",
    });
    await eventually(async () => ((await alerts("open")).length === 0 ? true : undefined));
    expect((await alerts("all"))[0]?.state).toBe("cleared");
    await eventually(async () => (received.some((r) => r.event === "cleared") ? true : undefined));
    const missing = await api(sup.url, "/api/alerts/none/ack", { body: {}, token: sup.token });
    expect(missing.status).toBe(404);
    await override(null);
  });
});
