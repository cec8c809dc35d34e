import type { BACnetMessageHeader, IAMResult } from "@bacnet-js/client/dist/lib/types.js";
import {
  BVLC_FUNCTION,
  decodeBvll,
  decodeNetworkList,
  decodeNpdu,
  encodeBvll,
  encodeNpdu,
  encodeWhoIsRouter,
  GLOBAL_NETWORK,
  NETWORK_MESSAGE,
} from "@bms/bacnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BacnetClient, type Client } from "./helpers/bacnet-client";
import { RawUdp } from "./helpers/raw-udp";
import { type RunningSim, startSim } from "./helpers/sim-process";

/**
 * The simulated BACnet/IP-to-MS/TP router over real UDP: 4 networks × 25 devices behind it, found by
 * one global Who-Is, read, written (WPM) and subscribed to (COV) with DNET/DADR, and the trunk's
 * one-request-per-device counters. Loopback 127.0.43.0/24 is this task's; the "broadcast" address
 * 127.0.43.255 keeps other files' simulators from answering our Who-Is.
 */
const SIM_PORT = 47884;
const CLIENT_PORT = 47885;
const RAW_PORT = 47886;
const BIND = "127.0.43.2";
const BROADCAST = "127.0.43.255";
const NETWORKS = [2001, 2002, 2003, 2004];
const PER_NETWORK = 25;

interface NetworkView {
  router: {
    address: string;
    networks: Array<{
      network: number;
      requests: number;
      stations: Array<{
        instance: number;
        mac: number;
        latency_ms: number;
        max_outstanding: number;
        overlapping: number;
      }>;
    }>;
    stats: { unknownNetwork: number; refused: Record<string, number> };
  };
}

interface IAmSeen {
  deviceId: number;
  maxApdu: number;
  segmentation: number;
  sender: { address: string; net?: number; adr?: number[] };
}

let sim: RunningSim;
let client: Client;
let raw: RawUdp;
let routerAddress = "";

function globalWhoIs(waitMs = 2500): Promise<IAmSeen[]> {
  const found = new Map<number, IAmSeen>();
  const onIAm = (content: { payload: IAMResult; header?: BACnetMessageHeader }) => {
    const sender = content.header?.sender;
    if (sender) {
      found.set(content.payload.deviceId, {
        ...content.payload,
        sender: { address: sender.address ?? "", net: sender.net, adr: sender.adr },
      });
    }
  };
  client.on("iAm", onIAm);
  client.whoIs({ net: GLOBAL_NETWORK } as never);
  return new Promise((resolve) =>
    setTimeout(() => {
      client.off("iAm", onIAm);
      resolve([...found.values()]);
    }, waitMs),
  );
}

beforeAll(async () => {
  sim = await startSim([
    "--site",
    "skeleton",
    "--bind",
    BIND,
    "--port",
    String(SIM_PORT),
    "--broadcast",
    BROADCAST,
    "--routed",
    `${NETWORKS.join(",")}:${PER_NETWORK}`,
    "--trunk-latency",
    "5-20",
  ]);
  routerAddress = /bms-sim router (\S+) networks/.exec(sim.stdout.join(""))?.[1] ?? "";
  client = new BacnetClient({
    port: CLIENT_PORT,
    interface: "127.0.43.1",
    broadcastAddress: `${BROADCAST}:${SIM_PORT}`,
    apduTimeout: 3000,
  });
  await new Promise<void>((resolve) => client.once("listening", () => resolve()));
  client.on("error", () => {});
  raw = await RawUdp.open(RAW_PORT, "127.0.43.1");
}, 60_000);

afterAll(async () => {
  client?.close();
  raw?.close();
  await sim?.stop();
});

describe("simulated router", () => {
  it("answers Who-Is-Router-To-Network with its four networks", async () => {
    const [host = "", port = ""] = routerAddress.split(":");
    expect(Number(port)).toBe(SIM_PORT);
    const replies = await raw.exchange(
      encodeBvll(BVLC_FUNCTION.originalBroadcast, encodeWhoIsRouter()),
      BROADCAST,
      SIM_PORT,
    );
    const answers = replies.filter((d) => d.address === host);
    expect(answers).toHaveLength(1);
    const bvll = decodeBvll(answers[0]!.data);
    expect(bvll.ok).toBe(true);
    const npdu = bvll.ok && bvll.bvll.npdu ? bvll.bvll.npdu : Buffer.alloc(0);
    const decoded = decodeNpdu(npdu, 0);
    expect(decoded.ok && decoded.npdu.messageType).toBe(NETWORK_MESSAGE.iAmRouterToNetwork);
    expect(decoded.ok && decodeNetworkList(npdu, decoded.offset)).toEqual(NETWORKS);
    // Asking about a network it does not reach gets no answer.
    const none = await raw.exchange(
      encodeBvll(BVLC_FUNCTION.originalUnicast, encodeWhoIsRouter(9999)),
      host,
      SIM_PORT,
    );
    expect(none).toHaveLength(0);
  });

  it("finds all 100 routed devices with one global Who-Is, each with its SNET/SADR and MS/TP limits", async () => {
    const found = await globalWhoIs();
    const routed = found.filter((d) => d.sender.net !== undefined);
    expect(routed).toHaveLength(NETWORKS.length * PER_NETWORK);
    for (const network of NETWORKS) {
      const macs = routed.filter((d) => d.sender.net === network).map((d) => d.sender.adr?.[0]);
      expect(new Set(macs).size).toBe(PER_NETWORK);
    }
    expect(routed.every((d) => d.sender.address === routerAddress)).toBe(true);
    expect(routed.every((d) => d.maxApdu === 480 && d.segmentation === 3)).toBe(true);
    // The skeleton's IP devices answer too, without a route.
    expect(found.some((d) => d.sender.net === undefined)).toBe(true);
  });

  it("reads with RPM, writes with WPM and reads back through the router", async () => {
    const target = { address: routerAddress, net: 2003, adr: [7] };
    const av = { type: 2, instance: 4 };
    await client.writePropertyMultiple(target, [
      {
        objectId: av,
        values: [{ property: { id: 85, index: 0xffffffff }, value: [{ type: 4, value: 23.5 }], priority: 8 }],
      },
    ]);
    const read = await client.readPropertyMultiple(target, [
      { objectId: av, properties: [{ id: 85, index: 0xffffffff }] },
      { objectId: { type: 8, instance: 4194303 }, properties: [{ id: 77, index: 0xffffffff }] },
    ]);
    const values = read.values as Array<{ values: Array<{ value: Array<{ value: unknown }> }> }>;
    expect(values[0]?.values[0]?.value[0]?.value).toBeCloseTo(23.5, 3);
    expect(values[1]?.values[0]?.value[0]?.value).toBe("Trunk 2003 Controller 007");
  });

  it("delivers COV notifications from a routed device back through the router", async () => {
    const target = { address: routerAddress, net: 2002, adr: [3] };
    const av = { type: 2, instance: 1 };
    const notes: Array<{ net?: number; adr?: number[]; value: unknown }> = [];
    client.on(
      "covNotifyUnconfirmed",
      (content: {
        header?: { sender: { net?: number; adr?: number[] } };
        payload: { values: Array<{ property: { id: number }; value: Array<{ value: unknown }> }> };
      }) => {
        const pv = content.payload.values.find((v) => v.property.id === 85);
        notes.push({
          net: content.header?.sender.net,
          adr: content.header?.sender.adr,
          value: pv?.value[0]?.value,
        });
      },
    );
    await client.subscribeCov(target, av, 77, false, false, 300);
    await client.writeProperty(target, av, 85, [{ type: 4, value: 19.25 }], { priority: 8 });
    const deadline = Date.now() + 3000;
    while (!notes.some((n) => n.value === 19.25) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const note = notes.find((n) => n.value === 19.25);
    expect(note).toMatchObject({ net: 2002, adr: [3] });
  });

  it("refuses a bad DADR and answers a network it does not reach with Reject-Message-To-Network", async () => {
    const [host = ""] = routerAddress.split(":");
    const readPv = [0x02, 0x75, 0x01, 0x0c, 0x0c, 0x00, 0x80, 0x00, 0x01, 0x19, 0x55];
    const unknown = await raw.exchange(
      encodeBvll(
        BVLC_FUNCTION.originalUnicast,
        Buffer.concat([
          encodeNpdu({ destination: { net: 4242, adr: [1] }, expectingReply: true }),
          Buffer.from(readPv),
        ]),
      ),
      host,
      SIM_PORT,
    );
    const bvll = decodeBvll(unknown[0]?.data ?? Buffer.alloc(0));
    const npdu = bvll.ok ? (bvll.bvll.npdu ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const decoded = decodeNpdu(npdu, 0);
    expect(decoded.ok && decoded.npdu.messageType).toBe(NETWORK_MESSAGE.rejectMessageToNetwork);
    expect(decoded.ok && [...npdu.subarray(decoded.offset)]).toEqual([1, 0x10, 0x92]);
    await raw.exchange(
      encodeBvll(
        BVLC_FUNCTION.originalUnicast,
        Buffer.concat([
          encodeNpdu({ destination: { net: 2001, adr: [1, 2] }, expectingReply: true }),
          Buffer.from(readPv),
        ]),
      ),
      host,
      SIM_PORT,
    );
    const view = await sim.api<NetworkView>("/api/network");
    expect(view.router.stats.unknownNetwork).toBeGreaterThanOrEqual(1);
    expect(view.router.stats.refused["bad-dadr-length"]).toBe(1);
  });

  it("counts a second request to a busy MS/TP device as an overlap", async () => {
    const before = await sim.api<NetworkView>("/api/network");
    const station = (v: NetworkView) =>
      v.router.networks.find((n) => n.network === 2004)?.stations.find((s) => s.mac === 25);
    expect(station(before)?.max_outstanding).toBe(0);
    const target = { address: routerAddress, net: 2004, adr: [25] };
    await client.readProperty(target, { type: 0, instance: 1 }, 85);
    expect(station(await sim.api<NetworkView>("/api/network"))?.max_outstanding).toBe(1);
    await Promise.all([
      client.readProperty(target, { type: 0, instance: 1 }, 85),
      client.readProperty(target, { type: 0, instance: 2 }, 85),
    ]);
    const after = station(await sim.api<NetworkView>("/api/network"));
    expect(after?.max_outstanding).toBe(2);
    expect(after?.overlapping).toBe(1);
  });
});
