import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bacnetModule, { type BACNetObjectID, type BACNetReadAccessSpecification } from "@bacnet-js/client";
import { type BacnetPointRef, parsePointRef } from "@bms/schemas";
import { type SimulatorHandle, startSimulator } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BacnetService } from "../../src/protocols/bacnet/bacnet-service";

/**
 * Point reads go out as our own ReadPropertyMultiple frames and come back through our one-pass decoder
 * (packages/bacnet read-property-multiple.ts), with the library's decoder for answers it declines. A
 * real simulator answers; the library's own client reads the same objects for comparison, and tshark
 * judges every frame we sent.
 */
const NET = "127.0.63";
const SIM_PORT = 47870;
const SERVICE_PORT = 47871;
const RAW_PORT = 47872;
const DEVICES = 3;
const FIRST = 10001;
const TSHARK = ["/usr/bin/tshark", "/usr/local/bin/tshark"].find((p) => existsSync(p));

const BENCH_OBJECTS = [
  ["analogInput", 0],
  ["analogValue", 2],
  ["binaryInput", 3],
  ["binaryOutput", 4],
] as const;

function refOf(text: string): BacnetPointRef {
  const parsed = parsePointRef(text);
  if (!parsed.ok || parsed.ref.protocol !== "bacnet") throw new Error(`not a BACnet ref: ${text}`);
  return parsed.ref;
}

describe("point reads with our ReadPropertyMultiple codec", () => {
  let sim: SimulatorHandle;
  let service: BacnetService;
  let capture: ChildProcess | undefined;
  let pcap = "";

  beforeAll(async () => {
    if (TSHARK) {
      pcap = join(mkdtempSync(join(tmpdir(), "bms-rpm-")), "rpm.pcap");
      capture = spawn(
        TSHARK,
        ["-i", "lo", "-f", `udp and net ${NET}.0/24 and port ${SIM_PORT}`, "-w", pcap, "-q"],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tshark did not start: ${stderr}`)), 20_000);
        capture?.stderr?.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes("Capturing on")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    }
    sim = await startSimulator({ bind: `${NET}.1`, port: SIM_PORT, devices: DEVICES });
    service = new BacnetService({
      bindAddress: `${NET}.250`,
      port: SERVICE_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      requestTimeoutMs: 2000,
      retries: 1,
      perDeviceConcurrency: 2,
      maxInFlight: 50,
      offlineAfterFailures: 3,
    });
    await service.start();
    await service.discover({ timeoutMs: 1500 });
  });

  afterAll(async () => {
    service?.stop();
    await sim?.stop();
    capture?.kill("SIGINT");
  });

  it("reads every point good, with the datatype of its object, as the library's client reads them", async () => {
    const texts = Array.from({ length: DEVICES }, (_, d) =>
      BENCH_OBJECTS.flatMap(([name]) =>
        Array.from({ length: 10 }, (_, i) => `bacnet:${FIRST + d}/${name}:${i + 1}.presentValue`),
      ),
    ).flat();
    const results = await service.readPoints(texts.map(refOf));
    expect(results.map((r) => r.quality)).toEqual(texts.map(() => "good"));
    texts.forEach((text, i) => {
      const expected = /binary/.test(text) ? "boolean" : "number";
      expect(typeof results[i]!.value, text).toBe(expected);
    });

    // The library's client reads the outputs (the simulator holds them still) to the same values.
    const BACnetClient =
      (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;
    const raw = new BACnetClient({ port: RAW_PORT, interface: `${NET}.250`, apduTimeout: 2000 });
    await new Promise<void>((resolve) => raw.once("listening", () => resolve()));
    const specs = Array.from({ length: 10 }, (_, i) => ({
      objectId: { type: 4, instance: i + 1 } as BACNetObjectID,
      properties: [{ id: 85, index: 0xffffffff }] as BACNetReadAccessSpecification["properties"],
    }));
    const answer = await raw.readPropertyMultiple({ address: `${NET}.1:${SIM_PORT}` }, specs);
    raw.close();
    const ours = await service.readPoints(
      Array.from({ length: 10 }, (_, i) => refOf(`bacnet:${FIRST}/binaryOutput:${i + 1}.presentValue`)),
    );
    expect(ours.map((r) => r.value)).toEqual(answer.values.map((v) => v.values[0]!.value[0]!.value === 1));
  });

  it("reads answers its decoder declines through the library's, and reports errors per point", async () => {
    const results = await service.readPoints(
      [
        `bacnet:${FIRST}/analogInput:1.presentValue`,
        `bacnet:${FIRST}/analogInput:1.objectName`,
        `bacnet:${FIRST}/analogInput:1.statusFlags`,
        `bacnet:${FIRST}/analogInput:999.presentValue`,
        `bacnet:${FIRST}/binaryInput:2.presentValue`,
      ].map(refOf),
    );
    expect(results[0]).toMatchObject({ quality: "good" });
    expect(typeof results[1]!.value).toBe("string");
    expect(results[1]).toMatchObject({ quality: "good" });
    expect(results[2]).toMatchObject({ quality: "good" });
    // No such object: that point is bad with the device's error, the others in the request unharmed.
    expect(results[3]).toMatchObject({ quality: "bad", code: "device_error" });
    expect(results[4]).toMatchObject({ quality: "good" });
  });

  it.skipIf(!TSHARK)(
    "sends frames Wireshark's dissector reads as ReadPropertyMultiple, none malformed",
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      const exited = new Promise((resolve) => capture?.once("exit", resolve));
      capture?.kill("SIGINT");
      await exited;
      capture = undefined;
      const fields = (filter: string) => {
        const out = spawnSync(
          TSHARK!,
          [
            "-r",
            pcap,
            "-d",
            `udp.port==${SIM_PORT},bvlc`,
            "-Y",
            filter,
            "-T",
            "fields",
            "-e",
            "frame.number",
          ],
          { encoding: "utf8" },
        );
        if (out.status !== 0) throw new Error(out.stderr);
        return out.stdout.split("\n").filter(Boolean).length;
      };
      const fromUs = `ip.src == ${NET}.250 && udp.srcport == ${SERVICE_PORT}`;
      expect(fields(`${fromUs} && bacapp.confirmed_service == 14`)).toBeGreaterThanOrEqual(DEVICES);
      expect(fields(`${fromUs} && (_ws.malformed || _ws.expert.severity == error)`)).toBe(0);
      expect(
        fields(`ip.src == ${NET}.1 && bacapp.type == 3 && bacapp.confirmed_service == 14`),
      ).toBeGreaterThanOrEqual(DEVICES);
    },
  );
});
