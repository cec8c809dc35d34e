import { createSocket } from "node:dgram";
import { BVLC_FUNCTION, encodeBvll, encodeNpdu } from "@bms/bacnet";
import {
  api,
  type SimulatorHandle,
  type SupervisorHandle,
  startSimulator,
  startSupervisor,
} from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Who-Has and the EPICS-style device report over real UDP, against an IP controller and three
 * MS/TP-like controllers behind the simulator's router on network 2101. Forged I-Haves come from an
 * ephemeral port (the run's tshark check judges only our programs' packets). 127.0.61.0/24 is this
 * file's range; its own broadcast address keeps other files' devices out.
 */
const SIM_BIND = "127.0.61.40";
const SIM_PORT = 47811;
const SUP_BIND = "127.0.61.1";
const SUP_PORT = 47812;
const BROADCAST = "127.0.61.255";
const NETWORK = 2101;
const IP_DEVICE = 1001;
/** The simulator's `--routed` instances: 200000 + 1000 × network position + MAC. */
const routed = (mac: number) => 200_000 + mac;

interface Hit {
  device_id: number;
  object_type: string;
  object_instance: number;
  object_name: string;
  address: string;
  network: number | null;
  mac: number[] | null;
  check: "known" | "unknown" | "mismatch";
}
interface WhoHasAnswer {
  found: Hit[];
  count: number;
  truncated: boolean;
}
interface Report {
  device_id: number;
  route: { address: string; network: number | null; mac: number[] | null };
  object_name: string | null;
  vendor_name: string | null;
  vendor_id: number | null;
  model_name: string | null;
  protocol_revision: number | null;
  max_apdu: number | null;
  segmentation: string | null;
  services_supported: string[];
  object_types_supported: string[];
  object_list: { total: number; by_type: Record<string, number> };
  missing: string[];
}

/** An I-Have APDU by hand: device id, object id, name (UTF-8), each application-tagged. */
function iHaveFrame(device: number, type: number, instance: number, name: Buffer): Buffer {
  const id = (t: number, i: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0xc4;
    b.writeUInt32BE(((t << 22) | i) >>> 0, 1);
    return b;
  };
  const text = Buffer.concat([Buffer.from([0x75, name.length + 1, 0]), name]);
  const apdu = Buffer.concat([Buffer.from([0x10, 0x01]), id(8, device), id(type, instance), text]);
  return encodeBvll(BVLC_FUNCTION.originalUnicast, Buffer.concat([encodeNpdu({}), apdu]));
}

describe("Who-Has and the device report over BACnet/IP, routed devices included", () => {
  let sim: SimulatorHandle;
  let sup: SupervisorHandle;
  let routerAddress = "";
  const whoHas = (body: unknown, token: string | undefined = sup.token) =>
    api<WhoHasAnswer & { error?: string; errors?: { path: string; message: string }[] }>(
      sup.url,
      "/api/devices/who-has",
      { body, ...(token ? { token } : {}) },
    );

  beforeAll(async () => {
    sim = await startSimulator({
      bind: SIM_BIND,
      port: SIM_PORT,
      site: "skeleton",
      extraArgs: ["--broadcast", BROADCAST, "--routed", `${NETWORK}:3`, "--trunk-latency", "30-60"],
    });
    routerAddress = /bms-sim router (\S+)/.exec(sim.output())?.[1] ?? "";
    sup = await startSupervisor({
      bacnetBind: SUP_BIND,
      bacnetPort: SUP_PORT,
      broadcast: `${BROADCAST}:${SIM_PORT}`,
    });
  }, 60_000);

  afterAll(async () => {
    await sup?.stop();
    await sim?.stop();
  });

  it("finds a routed device's object by name with its route, checked against discovery", async () => {
    expect(routerAddress).not.toBe("");
    const discovered = await api<{ devices: { device_id: number }[] }>(
      sup.url,
      "/api/devices/discover?wait=true",
      { body: { timeout_ms: 2000 }, token: sup.token },
    );
    expect(discovered.body.devices.map((d) => d.device_id).sort()).toEqual(
      [IP_DEVICE, routed(1), routed(2), routed(3)].sort(),
    );
    const answer = await whoHas({ object_name: "Trunk 2101 Controller 002", timeout_ms: 1500 });
    expect(answer.status).toBe(200);
    expect(answer.body.found).toEqual([
      {
        device_id: routed(2),
        object_type: "device",
        object_instance: routed(2),
        object_name: "Trunk 2101 Controller 002",
        address: `${routerAddress} net ${NETWORK} mac 02`,
        network: NETWORK,
        mac: [2],
        check: "known",
      },
    ]);
  });

  it("finds an object id on every device in an instance range, and only there", async () => {
    const all = await whoHas({
      object_type: 0,
      object_instance: 1,
      low_limit: routed(1),
      high_limit: routed(2),
      timeout_ms: 1500,
    });
    expect(all.status).toBe(200);
    expect(all.body.found.map((h) => [h.device_id, h.object_type, h.object_instance, h.object_name])).toEqual(
      [
        [routed(1), "analogInput", 1, "Zone Temp 1"],
        [routed(2), "analogInput", 1, "Zone Temp 1"],
      ],
    );
    expect(all.body.found.every((h) => h.network === NETWORK && h.check === "known")).toBe(true);
  });

  it("drops a malformed I-Have with a count, and marks a forged claim and an unknown device", async () => {
    const raw = createSocket("udp4");
    await new Promise<void>((resolve) => raw.bind(0, "127.0.61.9", resolve));
    const rawPort = raw.address().port;
    const metrics = async () =>
      (await api<{ bacnet: { wire: { i_have_invalid: number } } }>(sup.url, "/api/monitoring/metrics")).body
        .bacnet.wire.i_have_invalid;
    const invalidBefore = await metrics();
    const search = whoHas({ object_name: "Setpoint Forged", timeout_ms: 1500 });
    await new Promise((r) => setTimeout(r, 300));
    const send = (frame: Buffer) =>
      new Promise<void>((resolve) => raw.send(frame, SUP_PORT, SUP_BIND, () => resolve()));
    // Claims to be the known IP controller from another address; and a name that is not UTF-8.
    await send(iHaveFrame(IP_DEVICE, 2, 77, Buffer.from("Setpoint Forged")));
    await send(iHaveFrame(IP_DEVICE, 2, 78, Buffer.from([0x53, 0xff, 0xfe])));
    await send(iHaveFrame(3_999_999, 2, 1, Buffer.from("Setpoint Forged")));
    const answer = await search;
    raw.close();
    expect(answer.body.found).toEqual([
      expect.objectContaining({ device_id: IP_DEVICE, object_instance: 77, check: "mismatch" }),
      expect.objectContaining({ device_id: 3_999_999, address: `127.0.61.9:${rawPort}`, check: "unknown" }),
    ]);
    expect(await metrics()).toBe(invalidBefore + 1);
    // The forged claim never moved the device.
    const device = await api<{ device: { address: string } }>(sup.url, `/api/devices/${IP_DEVICE}`);
    expect(device.body.device.address).toBe(`${SIM_BIND}:${SIM_PORT}`);
  });

  it("is admin only, audited, and refuses bad requests by path", async () => {
    const operator = await api<{ secret: string }>(sup.url, "/api/auth/tokens", {
      body: { name: "ops", role: "operator" },
      token: sup.token,
    });
    expect(operator.status).toBe(201);
    expect((await whoHas({ object_name: "x" }, operator.body.secret)).status).toBe(403);

    const both = await whoHas({ object_name: "x", object_type: 0, object_instance: 1 });
    expect(both.status).toBe(422);
    expect(both.body.errors).toEqual([expect.objectContaining({ path: "object_name" })]);
    const half = await whoHas({ object_name: "x", low_limit: 5 });
    expect(half.status).toBe(422);
    expect(half.body.errors).toEqual([expect.objectContaining({ path: "high_limit" })]);

    const audit = await api<{ records: { action: string; outcome: string }[] }>(
      sup.url,
      "/api/audit?action=devices.who_has",
      { token: sup.token },
    );
    expect(audit.body.records.length).toBeGreaterThanOrEqual(3);
  });

  it("reports a routed MS/TP-like device completely, as JSON and as an EPICS text download", async () => {
    const json = await api<Report>(sup.url, `/api/devices/${routed(3)}/report`);
    expect(json.status).toBe(200);
    const report = json.body;
    expect(report).toMatchObject({
      device_id: routed(3),
      route: { address: `${routerAddress} net ${NETWORK} mac 03`, network: NETWORK, mac: [3] },
      object_name: "Trunk 2101 Controller 003",
      model_name: "Virtual MS/TP Controller",
      protocol_revision: 14,
      max_apdu: 480,
      segmentation: "no-segmentation",
      missing: [],
    });
    expect(report.vendor_name).toMatch(/\S/);
    expect(report.vendor_id).toEqual(expect.any(Number));
    expect(report.services_supported).toEqual(
      expect.arrayContaining(["readProperty", "readPropertyMultiple", "writeProperty", "whoHas", "iHave"]),
    );
    expect(report.object_types_supported).toEqual(
      expect.arrayContaining(["analogInput", "analogValue", "device", "schedule"]),
    );
    expect(report.object_list).toEqual({
      total: 21,
      by_type: { device: 1, analogInput: 10, analogValue: 10 },
    });

    const text = await fetch(`${sup.url}/api/devices/${routed(3)}/report.txt`);
    expect(text.status).toBe(200);
    expect(text.headers.get("content-disposition")).toBe(
      `attachment; filename="device-${routed(3)}-epics.txt"`,
    );
    const body = await text.text();
    expect(body.startsWith("PICS 0\n")).toBe(true);
    expect(body).toContain("Max APDU Length Accepted: 480");
    expect(body).toContain("Segmentation Capability: no-segmentation");
    expect(body).toContain(`Route: ${routerAddress} net ${NETWORK} mac 03`);
    expect(body).toMatch(/\{\n(?: {2}\w+\n)* {2}whoHas\n/);
    expect(body).toContain("  analogInput: 10");
    expect(body.trimEnd().endsWith("End of BACnet Protocol Implementation Conformance Statement")).toBe(true);
  });

  it("reports the IP controller, and answers 504 for a device nobody can reach", async () => {
    const ip = await api<Report>(sup.url, `/api/devices/${IP_DEVICE}/report`);
    expect(ip.status).toBe(200);
    expect(ip.body).toMatchObject({
      route: { address: `${SIM_BIND}:${SIM_PORT}`, network: null, mac: null },
      max_apdu: 1476,
      protocol_revision: 14,
    });
    expect(ip.body.object_list.total).toBeGreaterThan(1);
    const missing = await api<{ error: string }>(sup.url, "/api/devices/4000000/report");
    expect(missing.status).toBe(504);
  });
});
