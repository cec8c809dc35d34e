import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { BACNetObjectID } from "@bacnet-js/client";
import { encodeValue, OBJECT_TYPES, PROPERTIES } from "@bms/bacnet";
import { normalizePointRef } from "@bms/schemas";
import {
  api,
  DEMO_REHEAT_VALVE,
  DEMO_VAV1,
  DEMO_ZONE_TEMP,
  discoverDevice,
  eventually,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
  tempDir,
  testFlow,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommissioningReport } from "../../src/commissioning/report-types";
import { openProbe, type ProbeTarget, receiverOf, targetOf } from "../bacnet-probe";
import { packageOf } from "../fixtures";

// Reserved for this file: 127.0.66.0/24 (the commissioning helper's range), BACnet ports 47835-47837.
const SIM_BIND = "127.0.66.10";
const SIM_PORT = 47835;
const SUP_BIND = "127.0.66.1";
const SUP_PORT = 47836;
const PROBE_BIND = "127.0.66.2";
const PROBE_PORT = 47837;
const HOOK_BIND = "127.0.66.20";

const FLOW = randomUUID();
const REHEAT = normalizePointRef(DEMO_REHEAT_VALVE);
const ZONE = normalizePointRef(DEMO_ZONE_TEMP);

/**
 * VAV-1 of the demo building: the flow reads the zone temperature, holds the reheat valve at 35 % on
 * priority 8, and has a zone alarm whose condition is a constant false, so only an injection raises it.
 */
function commissionedSite(hookUrl: string) {
  return testFlow({
    name: "VAV-1",
    flowId: FLOW,
    intervalMs: 300,
    nodes: [
      { id: "zone", type: "sensor_read", label: "Zone temperature", config: { point: DEMO_ZONE_TEMP } },
      { id: "level", type: "constant", config: { value: 35 } },
      {
        id: "reheat",
        type: "actuator_write",
        label: "Reheat valve",
        config: { point: DEMO_REHEAT_VALVE, priority: 8 },
      },
      { id: "normal", type: "constant", config: { value: false } },
      {
        id: "zone_alarm",
        type: "alert",
        label: "Zone alarm",
        config: { message: "Zone alarm: $value", priority: "high", webhook_url: hookUrl },
      },
    ],
    connections: [
      { from_node: "level", from_output: "value", to_node: "reheat", to_input: "value" },
      { from_node: "normal", from_output: "value", to_node: "zone_alarm", to_input: "condition" },
      { from_node: "zone", from_output: "value", to_node: "zone_alarm", to_input: "value" },
    ],
  });
}

describe("commissioning against the simulator's demo building", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let probe: Awaited<ReturnType<typeof openProbe>>;
  let hook: Server;
  let vavAddress: ProbeTarget;
  /** The device's address as the supervisor lists it (the router's, with the route). */
  let vavListed: string;
  const delivered: { event: string; node_id: string }[] = [];
  const call = <T = unknown>(method: string, path: string, body?: unknown, token = sup.token) =>
    api<T>(sup.url, path, { method, body, token });
  const slot = async (priority: number) =>
    (await probe.read(vavAddress, OBJECT_TYPES.analogOutput, 2, PROPERTIES.priorityArray, priority))[0] ??
    null;
  /** Starts a run and waits for its report. */
  const runToEnd = async (body: unknown): Promise<CommissioningReport> => {
    const started = await call<CommissioningReport>("POST", "/api/commissioning/runs", body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.status).toBe("running");
    return eventually(
      async () => {
        const r = await call<CommissioningReport>("GET", `/api/commissioning/runs/${started.body.id}`);
        return r.body.status === "running" ? undefined : r.body;
      },
      60_000,
      300,
    );
  };
  let checkout: CommissioningReport;

  beforeAll(async () => {
    hook = createServer((request, response) => {
      let body = "";
      request.on("data", (c: Buffer) => {
        body += c.toString();
      });
      request.on("end", () => {
        const parsed = JSON.parse(body) as { event: string; alert: { node_id: string } };
        delivered.push({ event: parsed.event, node_id: parsed.alert.node_id });
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, HOOK_BIND, resolve));
    const hookPort = (hook.address() as AddressInfo).port;
    sim = await startSimulator({ bind: SIM_BIND, port: SIM_PORT, site: "demo" });
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      extraArgs: ["--webhook-allow", `${HOOK_BIND}:${hookPort}`],
    });
    probe = await openProbe(PROBE_BIND, PROBE_PORT);
    // VAV-1 sits behind the demo's router on network 2001: the probe goes through it.
    const vav = await discoverDevice(sup, DEMO_VAV1, 2000);
    vavListed = vav.address;
    vavAddress = targetOf(vav);
    // The object list gives the checkout its units.
    expect((await call("GET", `/api/devices/${DEMO_VAV1}/objects?refresh=true`)).status).toBe(200);
    const deployed = await call(
      "POST",
      "/api/config/deploy",
      packageOf(commissionedSite(`http://${HOOK_BIND}:${hookPort}/alarms`), "Commissioned site"),
    );
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    await eventually(async () => ((await slot(8)) === 35 ? true : undefined));
  });

  afterAll(async () => {
    probe?.close();
    await sup?.stop();
    await sim?.stop();
    await new Promise((resolve) => hook?.close(resolve));
  });

  it("refuses a write test on a priority the flow commands (409, nothing run) and an operator's force (403)", async () => {
    const body = (force: boolean) => ({
      person: "Ines Integrator",
      checkout: {
        write_test: { priority: 8, confirm: [DEMO_REHEAT_VALVE], values: { [REHEAT]: 70 }, force },
      },
    });
    const owned = await call<{ errors: { path: string; code: string; message: string }[] }>(
      "POST",
      "/api/commissioning/runs",
      body(false),
    );
    expect(owned.status).toBe(409);
    expect(owned.body.errors).toEqual([
      expect.objectContaining({ path: "checkout.write_test.confirm[0]", code: "flow_owned" }),
    ]);
    expect(owned.body.errors[0]!.message).toContain('node "Reheat valve" of flow "VAV-1"');
    const operator = await call<{ secret: string }>("POST", "/api/auth/tokens", {
      name: "commissioning operator",
      role: "operator",
    });
    expect(operator.status).toBe(201);
    const forced = await call<{ code: string }>(
      "POST",
      "/api/commissioning/runs",
      body(true),
      operator.body.secret,
    );
    expect(forced.status).toBe(403);
    expect(forced.body.code).toBe("forbidden");
    // Nothing ran: the flow's slot is untouched and no report was stored.
    expect(await slot(8)).toBe(35);
    const listed = await call<{ reports: unknown[] }>("GET", "/api/commissioning/runs");
    expect(listed.body.reports).toEqual([]);
  });

  it("checks out every site point and strokes the confirmed valve: written, seen in the priority array, relinquished", async () => {
    // The device's own account of the stroke: COV notifications of the valve's present value.
    const seen: number[] = [];
    const onCov = (content: {
      payload: { values: { property: { id: number }; value: { value: unknown }[] }[] };
    }) => {
      const pv = content.payload.values.find((v) => v.property.id === PROPERTIES.presentValue);
      if (pv) seen.push(Number(pv.value[0]?.value));
    };
    probe.client.on("covNotifyUnconfirmed", onCov as never);
    const object = { type: OBJECT_TYPES.analogOutput, instance: 2 } as BACNetObjectID;
    await probe.client.subscribeCov(receiverOf(vavAddress), object, 7, false, false, 120);
    await eventually(() => (seen.includes(35) ? true : undefined));

    checkout = await runToEnd({
      person: "Ines Integrator",
      notes: "Handover of VAV-1",
      // Priority 7 is above the flow's 8, so the valve really moves to the test value and back.
      checkout: { write_test: { priority: 7, confirm: [DEMO_REHEAT_VALVE], values: { [REHEAT]: 62 } } },
    });
    expect(checkout.status).toBe("done");
    expect(checkout.site).toBe("Commissioned site");
    expect(checkout.person).toBe("Ines Integrator");
    expect(checkout.digest).toMatch(/^[0-9a-f]{64}$/);
    const lines = checkout.checkout!;
    expect(lines.map((l) => l.point).sort()).toEqual([REHEAT, ZONE].sort());

    const zone = lines.find((l) => l.point === ZONE)!;
    expect(zone).toMatchObject({
      commanded: false,
      quality: "good",
      units: "degreesCelsius",
      verdict: "pass",
    });
    expect(typeof zone.value).toBe("number");
    expect(zone.response_ms).toBeGreaterThan(0);
    expect(zone.write_test).toBeUndefined();

    const valve = lines.find((l) => l.point === REHEAT)!;
    expect(valve.verdict, valve.detail).toBe("pass");
    expect(valve).toMatchObject({ commanded: true, units: "percent", device: `bacnet:${DEMO_VAV1}` });
    // Read back from the simulator's priority array after the write, and after the relinquish.
    expect(valve.write_test).toMatchObject({
      priority: 7,
      test_value: 62,
      after_write: 62,
      after_release: null,
      release: "relinquish",
      value_after: 35,
    });
    expect(checkout.summary).toEqual({ pass: 2, fail: 0, skipped: 0 });

    // The device itself: the valve went to 62 and back to the flow's 35; slot 7 is empty, 8 the flow's.
    await eventually(() => (seen.lastIndexOf(62) >= 0 && seen.at(-1) === 35 ? true : undefined), 5000);
    expect(seen.slice(seen.indexOf(62))).toEqual([62, 35]);
    expect(await slot(7)).toBeNull();
    expect(await slot(8)).toBe(35);
    await probe.client.subscribeCov(receiverOf(vavAddress), object, 7, true, false, 0);
    probe.client.off("covNotifyUnconfirmed", onCov as never);

    // The trail: the run (with what it would write) and its end (with what it wrote and read back).
    const audit = await call<{
      records: { action: string; target: string; details: Record<string, unknown> }[];
    }>("GET", "/api/audit?limit=20");
    const started = audit.body.records.find(
      (r) => r.action === "commissioning.run" && r.target === checkout.id,
    );
    expect(started?.details).toMatchObject({
      write_test: { priority: 7, confirmation: "per point", points: [REHEAT], values: { [REHEAT]: 62 } },
    });
    const finished = audit.body.records.find(
      (r) => r.action === "commissioning.finish" && r.target === checkout.id,
    );
    expect(finished?.details).toMatchObject({
      writes: [{ point: REHEAT, priority: 7, value: 62, after_write: 62, after_release: null }],
    });
  });

  it("leaves a priority another writer holds alone: the line fails and their command stays", async () => {
    const object = { type: OBJECT_TYPES.analogOutput, instance: 2 } as BACNetObjectID;
    const writeDirect = (value: number | null) =>
      probe.client.writeProperty(
        receiverOf(vavAddress),
        object,
        PROPERTIES.presentValue,
        [encodeValue(OBJECT_TYPES.analogOutput, PROPERTIES.presentValue, value) as never],
        { priority: 9 },
      );
    await writeDirect(44);
    try {
      const report = await runToEnd({
        person: "Ines Integrator",
        checkout: { points: [REHEAT], write_test: { priority: 9, confirm: "all" } },
      });
      const line = report.checkout![0]!;
      expect(line.verdict).toBe("fail");
      expect(line.detail).toBe(
        "write test not run: priority 9 already holds 44 from another writer; choose a free priority",
      );
      expect(line.write_test).toBeUndefined();
      expect(await slot(9)).toBe(44);
    } finally {
      await writeDirect(null);
    }
  });

  it("verifies the alarm by injection: raised, delivered to its webhook, cleared, and the pin gone", async () => {
    const report = await runToEnd({ person: "Ines Integrator", alarms: { timeout_s: 10 } });
    expect(report.alarms).toHaveLength(1);
    const line = report.alarms![0]!;
    expect(line.detail).toMatch(/raised/);
    expect(line).toMatchObject({
      flow_id: FLOW,
      node_id: "zone_alarm",
      label: "Zone alarm",
      priority: "high",
      raised: true,
      notified: "webhook delivered",
      notified_ok: true,
      cleared: true,
      verdict: "pass",
    });
    expect(delivered.filter((d) => d.node_id === "zone_alarm").map((d) => d.event)).toEqual([
      "raised",
      "cleared",
    ]);
    const pins = await call<{ pins: unknown[] }>("GET", "/api/debug/pins");
    expect(pins.body.pins).toEqual([]);
    const alarms = await call<{ alerts: { node_id: string; state: string }[] }>(
      "GET",
      "/api/alerts?state=all",
    );
    expect(alarms.body.alerts.find((a) => a.node_id === "zone_alarm")?.state).toBe("cleared");
  });

  it("measures a baseline and checks device communication", async () => {
    const report = await runToEnd({
      person: "Ines Integrator",
      baseline: { window_s: 3, poll_interval_s: 0.5 },
      devices: { samples: 4 },
    });
    const b = report.baseline!;
    expect(b.window_s).toBeGreaterThanOrEqual(3);
    const flow = b.flows.find((f) => f.flow_id === FLOW)!;
    expect(flow).toMatchObject({ interval_ms: 300, verdict: "pass" });
    expect(flow.scans).toBeGreaterThanOrEqual(5);
    expect(flow.scan.count).toBeGreaterThan(0);
    const polled = b.devices.find((d) => d.device === `bacnet:${DEMO_VAV1}`)!;
    expect(polled).toMatchObject({ points: 2, bad_reads: 0, verdict: "pass" });
    expect(polled.poll.count).toBeGreaterThanOrEqual(5);
    const bacnet = b.request_errors.find((c) => c.protocol === "bacnet")!;
    expect(bacnet.requests).toBeGreaterThan(0);
    expect(bacnet.timeouts).toBe(0);
    const device = report.devices!.find((d) => d.device === `bacnet:${DEMO_VAV1}`)!;
    expect(device).toMatchObject({ samples: 4, timeouts: 0, errors: 0, retries: 0, verdict: "pass" });
    expect(device.address).toBe(vavListed);
    expect(device.segmentation).toEqual(expect.any(String));
    expect(device.max_apdu).toBeGreaterThan(0);
    expect(device.response.count).toBe(4);
  });

  it("prints the report to PDF whose first page shows the table of points", async () => {
    const html = await fetch(`${sup.url}/api/commissioning/runs/${checkout.id}/report.html`, {
      headers: { authorization: `Bearer ${sup.token}` },
    });
    expect(html.status).toBe(200);
    const page = await html.text();
    expect(page).toContain("Point checkout");
    expect(page).toContain("Signature and date");

    const pdf = await fetch(`${sup.url}/api/commissioning/runs/${checkout.id}/report.pdf`, {
      headers: { authorization: `Bearer ${sup.token}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toBe(`attachment; filename="${checkout.id}.pdf"`);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const dir = tempDir("commissioning-pdf");
    const file = join(dir, "report.pdf");
    writeFileSync(file, bytes);
    // The first page as an image, as a person would see it, and its text layer for the assertions.
    execFileSync("pdftoppm", ["-png", "-f", "1", "-l", "1", "-r", "60", file, join(dir, "page")]);
    const png = join(dir, "page-1.png");
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    expect(statSync(png).size).toBeGreaterThan(5000);
    const text = execFileSync("pdftotext", ["-f", "1", "-l", "1", "-layout", file, "-"]).toString();
    expect(text).toContain("Commissioning report: Commissioned site");
    expect(text).toContain("Point checkout");
    expect(text).toMatch(/Point\s+Device\s+Value\s+Units\s+Quality/);
    expect(text).toContain("bacnet:3001/analogOutput:2");
    expect(text).toContain("bacnet:3001/analogInput:1");
    expect(text).toContain("Ines Integrator");
    expect(text).toMatch(/PASS/);
    // The supervisor's signature is printed with its key's fingerprint (on whichever page it falls).
    const whole = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
    expect(checkout.signature?.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(whole).toContain("Signed by the supervisor");
    expect(whole).toContain(checkout.signature!.fingerprint);
    // Printed once, then served from the data dir.
    expect(existsSync(join(sup.dataDir, "commissioning", `${checkout.id}.pdf`))).toBe(true);
    const listed = await call<{ reports: { id: string; pdf: boolean }[] }>("GET", "/api/commissioning/runs");
    expect(listed.body.reports.find((r) => r.id === checkout.id)?.pdf).toBe(true);
  });
});
