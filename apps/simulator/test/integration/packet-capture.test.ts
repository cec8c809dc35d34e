import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TestClient } from "./helpers/bacnet-client";
import { APDU_OFFSET, bvlc, RawUdp } from "./helpers/raw-udp";
import { type RunningSim, startSim } from "./helpers/sim-process";

/**
 * Wireshark's BACnet dissector as an independent judge of what the simulator puts on the wire:
 * when one library is both client and server, symmetric encoding bugs hide. The capture covers
 * this file's session (every service, error, reject, abort and COV flavour) plus whatever the other
 * integration files send meanwhile on 47808-47830.
 */
const TSHARK = ["/usr/bin/tshark", "/usr/local/bin/tshark"].find((p) => existsSync(p));
if (!TSHARK) console.warn("[packet-capture] SKIPPED: tshark is not installed (apt-get install -y tshark)");

const SIM_PORT = 47816;
const CLIENT_PORT = 48817;
const RAW_PORT = 48818;
const BIND = "127.0.7.2";
/** Every port the integration tier uses for simulators; each needs a decode-as rule. */
const SIM_PORTS = Array.from({ length: 22 }, (_, i) => 47809 + i);
const DECODE_AS = SIM_PORTS.flatMap((p) => ["-d", `udp.port==${p},bvlc`]);

const dir = mkdtempSync(join(tmpdir(), "bms-sim-pcap-"));
const pcap = join(dir, "run.pcap");
let tshark: ChildProcess | undefined;
let tsharkErr = "";
let sim: RunningSim;
let bacnet: TestClient;
let raw: RawUdp;

function read(filter: string, fields: string[] = []): string {
  const args = ["-r", pcap, ...DECODE_AS, "-Y", filter];
  if (fields.length) args.push("-T", "fields", ...fields.flatMap((f) => ["-e", f]));
  const result = spawnSync(TSHARK ?? "tshark", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tshark -r failed: ${result.stderr}`);
  return result.stdout.trim();
}

describe.skipIf(!TSHARK)("packet-level check with tshark", () => {
  beforeAll(async () => {
    tshark = spawn(TSHARK ?? "tshark", ["-i", "lo", "-f", "udp portrange 47808-47830", "-w", pcap, "-q"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // dumpcap says "Capturing on 'Loopback: lo'" once packets are being recorded.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tshark did not start: ${tsharkErr}`)), 20_000);
      tshark?.stderr?.on("data", (chunk: Buffer) => {
        tsharkErr += chunk.toString();
        if (tsharkErr.includes("Capturing on")) {
          clearTimeout(timer);
          resolve();
        }
      });
      tshark?.once("exit", (code) => reject(new Error(`tshark exited ${code}: ${tsharkErr}`)));
    });
    sim = await startSim(["--site", "demo", "--bind", BIND, "--port", String(SIM_PORT), "--speed", "30"]);
    bacnet = await createClient(CLIENT_PORT, SIM_PORT);
    raw = await RawUdp.open(RAW_PORT);
  });

  afterAll(async () => {
    raw?.close();
    bacnet?.close();
    await sim?.stop();
    if (tshark && tshark.exitCode === null) {
      await new Promise<void>((resolve) => {
        tshark?.once("exit", () => resolve());
        tshark?.kill("SIGINT");
        setTimeout(() => tshark?.kill("SIGKILL"), 5000).unref();
      });
    }
  });

  it("exercises every service the simulator speaks", async () => {
    const ahu = bacnet.at(BIND);
    // VAV-1 sits behind the demo's router (the address after the last device's) on network 2001,
    // MS/TP MAC 1: every request to it carries DNET/DADR and its answers SNET/SADR.
    const vav = { ...bacnet.at("127.0.7.19"), net: 2001, adr: [1] };
    expect((await bacnet.whoIs()).length).toBe(17);
    expect((await bacnet.whoIs({ lowLimit: 3001, highLimit: 3003 }, 800)).length).toBe(3);
    await bacnet.client.readProperty(ahu, { type: 8, instance: 2001 }, 76);
    await bacnet.client.readProperty(ahu, { type: 8, instance: 2001 }, 76, { arrayIndex: 0 });
    await bacnet.client.readProperty(ahu, { type: 8, instance: 4194303 }, 75);
    await bacnet.client.readPropertyMultiple(ahu, [
      { objectId: { type: 8, instance: 2001 }, properties: [{ id: 8, index: 0xffffffff }] },
    ]);
    // An MS/TP device answers at most 480 octets unsegmented: one object's properties per request.
    for (const spec of [
      { objectId: { type: 0, instance: 1 }, properties: [{ id: 8, index: 0xffffffff }] },
      { objectId: { type: 1, instance: 1 }, properties: [{ id: 105, index: 0xffffffff }] },
      { objectId: { type: 2, instance: 1 }, properties: [{ id: 80, index: 0xffffffff }] },
      { objectId: { type: 3, instance: 1 }, properties: [{ id: 8, index: 0xffffffff }] },
    ]) {
      await bacnet.client.readPropertyMultiple(vav, [spec]);
    }
    await bacnet.client.readPropertyMultiple(vav, [
      { objectId: { type: 0, instance: 1 }, properties: [{ id: 85, index: 0xffffffff }] },
      { objectId: { type: 0, instance: 77 }, properties: [{ id: 85, index: 0xffffffff }] },
    ]);
    await bacnet.client.readPropertyMultiple(bacnet.at("127.0.7.3"), [
      { objectId: { type: 19, instance: 1 }, properties: [{ id: 8, index: 0xffffffff }] },
      { objectId: { type: 4, instance: 1 }, properties: [{ id: 8, index: 0xffffffff }] },
    ]);
    const damper = { type: 1, instance: 1 };
    await bacnet.client.writeProperty(vav, damper, 85, [{ type: 4, value: 80 }], { priority: 16 });
    await bacnet.client.writeProperty(vav, damper, 85, [{ type: 4, value: 20 }], { priority: 8 });
    await bacnet.client.writeProperty(vav, damper, 85, [{ type: 0, value: null }], { priority: 8 });
    await bacnet.client.writeProperty(vav, damper, 85, [{ type: 0, value: null }], { priority: 16 });
    await expect(
      bacnet.client.writeProperty(vav, { type: 0, instance: 1 }, 85, [{ type: 4, value: 1 }], {
        priority: 8,
      }),
    ).rejects.toThrow();
    await expect(bacnet.client.readProperty(vav, { type: 0, instance: 99 }, 85)).rejects.toThrow();
    await expect(
      bacnet.client.readProperty(vav, { type: 0, instance: 1 }, 85, { arrayIndex: 2 }),
    ).rejects.toThrow();
    // DeviceCommunicationControl is implemented now: "enable" (0) is a Simple-ACK and leaves the device
    // talking, so the services after it are still answered. A Reject is exercised by an unknown service.
    await expect(bacnet.client.deviceCommunicationControl(vav, 0, 0)).resolves.toBeUndefined();
    await expect(bacnet.client.confirmedPrivateTransfer(vav, 0, 1, [])).rejects.toThrow(); // Reject
    await expect(
      bacnet.client.readPropertyMultiple(
        ahu,
        [{ objectId: { type: 8, instance: 2001 }, properties: [{ id: 8, index: 0xffffffff }] }],
        {
          maxApdu: 1,
        },
      ),
    ).rejects.toThrow(/Reason:4/); // Abort

    const onConfirmed = (content: {
      header?: { sender?: { address?: string } };
      invokeId?: number;
      service?: number;
    }) => {
      if (content.header?.sender && content.invokeId !== undefined && content.service !== undefined) {
        bacnet.client.simpleAckResponse(content.header.sender, content.service, content.invokeId);
      }
    };
    bacnet.client.on("covNotify", onConfirmed);
    await bacnet.client.subscribeCov(vav, { type: 0, instance: 1 }, 1, false, false, 60);
    await bacnet.client.subscribeCov(vav, { type: 1, instance: 1 }, 2, false, true, 60);
    await bacnet.client.writeProperty(vav, damper, 85, [{ type: 4, value: 55 }], { priority: 12 });
    const active = await bacnet.client.readProperty(vav, { type: 8, instance: 3001 }, 152);
    expect(active.values).toHaveLength(2); // activeCovSubscriptions lists both
    await new Promise((r) => setTimeout(r, 1500));
    await bacnet.client.subscribeCov(vav, { type: 0, instance: 1 }, 1, true, false, 0);
    await bacnet.client.subscribeCov(vav, { type: 1, instance: 1 }, 2, true, false, 0);
    await bacnet.client.writeProperty(vav, damper, 85, [{ type: 0, value: null }], { priority: 12 });
    bacnet.client.off("covNotify", onConfirmed);

    // An object of an IP controller: a local-broadcast Who-Has does not cross the router.
    const name = Buffer.from("CHW Supply Temp");
    const iHave = await raw.exchange(
      bvlc([0x01, 0x00, 0x10, 0x07, 0x3d, name.length + 1, 0x00, ...name], 0x0b),
      "127.255.255.255",
      SIM_PORT,
    );
    expect(iHave[0]?.data[APDU_OFFSET + 1]).toBe(0x01);
    await raw.exchange(Buffer.from([0x81, 0x05, 0x00, 0x06, 0x00, 0x3c]), BIND, SIM_PORT); // BVLC NAK
    await new Promise((r) => setTimeout(r, 1000)); // let the capture flush
  });

  it("finds nothing malformed and no error-level expert info in what the simulators sent", async () => {
    // Stop the capture so the file is complete before reading it.
    await new Promise<void>((resolve) => {
      if (!tshark || tshark.exitCode !== null) return resolve();
      tshark.once("exit", () => resolve());
      tshark.kill("SIGINT");
    });
    expect(statSync(pcap).size).toBeGreaterThan(1000);
    const bad = "(_ws.malformed || _ws.expert.severity==error)";
    // Everything the simulators sent (any test file), and both directions of this file's session,
    // which sends no deliberately broken frames (robustness.test.ts does, toward its own port).
    // Clients (this test's, the supervisor's) bind 127.0.0.1, simulators never do: that tells them apart.
    const simulatorSent = `(${SIM_PORTS.map((p) => `udp.srcport==${p}`).join(" || ")}) && ip.src != 127.0.0.1`;
    const fromSimulators = read(`${bad} && ${simulatorSent}`);
    const thisSession = read(`${bad} && udp.port==${SIM_PORT}`);
    expect(fromSimulators).toBe("");
    expect(thisSession).toBe("");

    // And the dissector really understood the traffic: the services we expect are all there.
    const services = read(`udp.port==${SIM_PORT} && bacapp`, [
      "bacapp.type",
      "bacapp.confirmed_service",
      "bacapp.unconfirmed_service",
    ]);
    const lines = services.split("\n");
    const has = (type: string, service?: string) =>
      lines.some((l) => {
        const [t, confirmed, unconfirmed] = l.split("\t");
        return t === type && (service === undefined || confirmed === service || unconfirmed === service);
      });
    expect(has("1", "0")).toBe(true); // I-Am
    expect(has("1", "1")).toBe(true); // I-Have
    expect(has("1", "2")).toBe(true); // unconfirmed COV notification
    expect(has("0", "1")).toBe(true); // confirmed COV notification
    expect(has("3")).toBe(true); // ComplexACK
    expect(has("2")).toBe(true); // SimpleACK
    expect(has("5")).toBe(true); // Error
    expect(has("6")).toBe(true); // Reject
    expect(has("7")).toBe(true); // Abort
    console.info(`[packet-capture] ${lines.length} BACnet APDUs on port ${SIM_PORT}; pcap at ${pcap}`);
  });
});
