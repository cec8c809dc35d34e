import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IHave } from "@bacnet-js/client/dist/lib/services/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type TestClient } from "./helpers/bacnet-client";
import { APDU_OFFSET, bvlc, RawUdp } from "./helpers/raw-udp";
import { type RunningSim, startSim } from "./helpers/sim-process";

const SIM_PORT = 47814;
const CLIENT_PORT = 48814;
const RAW_PORT = 48815;
const BIND = "127.0.4.2";
const BIG_DEVICE = 5001;
const BIG_OBJECTS = 600;

let sim: RunningSim;
let bacnet: TestClient;
let raw: RawUdp;

/** One device with 600 objects (objectList ~3 KB, beyond any unsegmented APDU) and a small one. */
function writeLargeSite(): string {
  const objects = Array.from({ length: BIG_OBJECTS }, (_, i) => ({
    type: "analogValue",
    instance: i + 1,
    name: `Value ${i + 1}`,
    units: "percent",
  }));
  const site = {
    name: "large",
    devices: [
      { instance: BIG_DEVICE, name: "Big Controller", objects },
      {
        instance: 5002,
        name: "Small Controller",
        objects: [{ type: "analogInput", instance: 1, name: "Zone Temp", units: "degreesCelsius" }],
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), "bms-sim-large-"));
  const file = join(dir, "large.json");
  writeFileSync(file, JSON.stringify(site));
  return file;
}

beforeAll(async () => {
  sim = await startSim(["--site", writeLargeSite(), "--bind", BIND, "--port", String(SIM_PORT)]);
  bacnet = await createClient(CLIENT_PORT, SIM_PORT);
  raw = await RawUdp.open(RAW_PORT);
});

afterAll(async () => {
  raw?.close();
  bacnet?.close();
  await sim?.stop();
});

describe("large devices: abort instead of segmenting, then indexed reads", () => {
  it("aborts a whole objectList read with segmentation-not-supported", async () => {
    await expect(
      bacnet.client.readProperty(bacnet.at(BIND), { type: 8, instance: BIG_DEVICE }, 76),
    ).rejects.toThrow(/BacnetAbort - Reason:4/);
    await expect(
      bacnet.client.readPropertyMultiple(bacnet.at(BIND), [
        { objectId: { type: 8, instance: BIG_DEVICE }, properties: [{ id: 8, index: 0xffffffff }] },
      ]),
    ).rejects.toThrow(/BacnetAbort - Reason:4/);
  });

  it("is fully enumerable by array index, as a standard client falls back to", async () => {
    const dev = bacnet.at(BIND);
    const length = await bacnet.client.readProperty(dev, { type: 8, instance: BIG_DEVICE }, 76, {
      arrayIndex: 0,
    });
    expect(length.values[0]?.value).toBe(BIG_OBJECTS + 1);
    const ids: Array<{ type: number; instance: number }> = [];
    const indexes = Array.from({ length: BIG_OBJECTS + 1 }, (_, i) => i + 1);
    // Eight in flight, like a careful client.
    for (let i = 0; i < indexes.length; i += 8) {
      const batch = await Promise.all(
        indexes
          .slice(i, i + 8)
          .map((index) =>
            bacnet.client.readProperty(dev, { type: 8, instance: BIG_DEVICE }, 76, { arrayIndex: index }),
          ),
      );
      for (const r of batch) ids.push(r.values[0]?.value as { type: number; instance: number });
    }
    expect(ids[0]).toEqual({ type: 8, instance: BIG_DEVICE });
    expect(new Set(ids.slice(1).map((id) => id.instance)).size).toBe(BIG_OBJECTS);
  });

  it("respects a small max-APDU announced by the client", async () => {
    // RPM ALL of the small device's device object fits 1476 octets but not 128 (max-APDU code 1).
    const small = bacnet.at("127.0.4.3");
    const spec = [{ objectId: { type: 8, instance: 5002 }, properties: [{ id: 8, index: 0xffffffff }] }];
    const fits = await bacnet.client.readPropertyMultiple(small, spec);
    expect(fits.values[0]?.values.length).toBeGreaterThan(20);
    await expect(bacnet.client.readPropertyMultiple(small, spec, { maxApdu: 1 })).rejects.toThrow(
      /BacnetAbort - Reason:4/,
    );
  });
});

describe("bad and unusual input", () => {
  it("rejects a confirmed service it does not implement (not an Error PDU)", async () => {
    // (DeviceCommunicationControl, the example here before, is implemented now.)
    await expect(bacnet.client.confirmedPrivateTransfer(bacnet.at(BIND), 0, 1, [])).rejects.toThrow(
      /BacnetAbort - Reason:9/,
    ); // the library reports Reject as "Abort"; reason 9 = unrecognized-service
    const replies = await raw.exchange(bvlc([0x01, 0x04, 0x00, 0x05, 0x21, 0x1f]), BIND, SIM_PORT);
    expect([...(replies[0]?.data.subarray(APDU_OFFSET) ?? [])]).toEqual([0x60, 0x21, 0x09]);
  });

  it("rejects a malformed ReadProperty instead of going silent", async () => {
    // ReadProperty (0x0c) whose object identifier tag is followed by two bytes only.
    const replies = await raw.exchange(
      bvlc([0x01, 0x04, 0x00, 0x05, 0x22, 0x0c, 0x0c, 0x00, 0x00]),
      BIND,
      SIM_PORT,
    );
    const apdu = replies[0]?.data.subarray(APDU_OFFSET);
    expect(apdu?.[0]).toBe(0x60); // Reject
    expect(apdu?.[1]).toBe(0x22);
  });

  it("aborts a segmented request, since it does not accept segments", async () => {
    const replies = await raw.exchange(
      bvlc([0x01, 0x04, 0x08, 0x05, 0x23, 0x00, 0x01, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55]),
      BIND,
      SIM_PORT,
    );
    expect([...(replies[0]?.data.subarray(APDU_OFFSET) ?? [])]).toEqual([0x71, 0x23, 0x04]);
  });

  it("NAKs BBMD requests it cannot serve", async () => {
    const replies = await raw.exchange(Buffer.from([0x81, 0x05, 0x00, 0x06, 0x00, 0x3c]), BIND, SIM_PORT);
    expect([...(replies[0]?.data ?? [])]).toEqual([0x81, 0x00, 0x00, 0x06, 0x00, 0x30]);
  });

  it("answers Who-Has by name and by object identifier with I-Have", async () => {
    const name = Buffer.from("Zone Temp");
    const byName = await raw.exchange(
      bvlc([0x01, 0x00, 0x10, 0x07, 0x3d, name.length + 1, 0x00, ...name], 0x0b),
      "127.255.255.255",
      SIM_PORT,
    );
    expect(byName).toHaveLength(1);
    const decoded = IHave.decode(byName[0]?.data ?? Buffer.alloc(0), APDU_OFFSET + 2, 64);
    expect(decoded.deviceId).toEqual({ type: 8, instance: 5002 });
    expect(decoded.objectId).toEqual({ type: 0, instance: 1 });
    expect(decoded.objectName).toBe("Zone Temp");
    // By identifier: context tag 2, analogValue:600, restricted to 5001..5001.
    const byId = await raw.exchange(
      bvlc([0x01, 0x00, 0x10, 0x07, 0x0a, 0x13, 0x89, 0x1a, 0x13, 0x89, 0x2c, 0x00, 0x80, 0x02, 0x58], 0x0b),
      "127.255.255.255",
      SIM_PORT,
    );
    expect(byId).toHaveLength(1);
    expect(IHave.decode(byId[0]?.data ?? Buffer.alloc(0), APDU_OFFSET + 2, 64).objectName).toBe("Value 600");
  });

  it("survives garbage, truncated and oversized datagrams and keeps answering", async () => {
    const valid = bvlc([0x01, 0x04, 0x00, 0x05, 0x24, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55]);
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const targets = [BIND, "127.0.4.3", "127.255.255.255"];
    for (let i = 0; i < 1500; i++) {
      let datagram: Buffer;
      const kind = i % 5;
      if (kind === 0)
        datagram = Buffer.from(
          Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
        );
      else if (kind === 1) datagram = valid.subarray(0, Math.floor(random() * valid.length));
      else if (kind === 2) {
        // A valid BVLC and NPDU header in front of random APDU bytes: reaches the service decoders.
        const body = Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256));
        datagram = bvlc([0x01, 0x04, body[0] ?? 0, 0x05, 0x01, ...body.slice(1)]);
      } else if (kind === 3) {
        const mutated = Buffer.from(valid);
        mutated[4 + Math.floor(random() * (mutated.length - 4))] = Math.floor(random() * 256);
        datagram = mutated;
      } else datagram = Buffer.alloc(1600 + Math.floor(random() * 2000), Math.floor(random() * 256));
      await raw.send(datagram, targets[i % targets.length] ?? BIND, SIM_PORT);
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.proc.exitCode).toBeNull();
    const health = await sim.api<{ status: string; rss_mb: number; stats: { dropped: number } }>(
      "/api/health",
    );
    expect(health.status).toBe("ok");
    expect(health.stats.dropped).toBeGreaterThan(100);
    expect(health.rss_mb).toBeLessThan(400);
    const temp = await bacnet.client.readProperty(bacnet.at("127.0.4.3"), { type: 0, instance: 1 }, 85);
    expect(typeof temp.values[0]?.value).toBe("number");
  });
});
