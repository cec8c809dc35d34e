import { createSocket, type Socket } from "node:dgram";
import { ReadProperty } from "@bacnet-js/client/dist/lib/services/index.js";
import {
  BVLC_FUNCTION,
  decodeBvll,
  decodeNpdu,
  decodeSegmentedComplexAck,
  encodeBvll,
  encodeNpdu,
  encodeSegmentAck,
  type SegmentOutcome,
  SegmentReassembly,
} from "@bms/bacnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSim, startSim } from "./helpers/sim-process";

/**
 * Segmented Complex-ACKs over real UDP: a 5,000-object controller's Object_List in one segmented reply,
 * with the simulator withholding segment 3 once so the client's negative Segment-ACK (or the server's
 * timeout) must recover it. The client side is @bms/bacnet's SegmentReassembly, the same window logic
 * the supervisor's transport uses.
 */
const SIM_PORT = 47889;
const CLIENT_PORT = 47888;
const BIND = "127.0.43.20";
const LARGE = 400_001;
const OBJECTS = 5000;

interface Segmentation {
  segmentation: {
    started: number;
    completed: number;
    droppedOnPurpose: number;
    resent: number;
    negativeAcks: number;
  };
}

let sim: RunningSim;
let socket: Socket;

/** ReadProperty(Object_List) accepting a segmented answer of up to 64 segments of 1476 octets. */
function readObjectList(invokeId: number, device: number): Buffer {
  const objectId = Buffer.alloc(4);
  objectId.writeUInt32BE(((8 << 22) | device) >>> 0);
  const apdu = Buffer.from([
    0x02, // confirmed request, segmented response accepted
    0x65, // max segments 64, max APDU 1476
    invokeId,
    12, // readProperty
    0x0c, // context 0, 4 octets: the device's object identifier
    ...objectId,
    0x19,
    76, // context 1: objectList
  ]);
  return encodeBvll(
    BVLC_FUNCTION.originalUnicast,
    Buffer.concat([encodeNpdu({ expectingReply: true }), apdu]),
  );
}

function ask(target: string, invokeId: number): Promise<{ apdu: Buffer; naks: number }> {
  return new Promise((resolve, reject) => {
    let reassembly: SegmentReassembly | undefined;
    let naks = 0;
    const timer = setTimeout(() => reject(new Error("no complete reply in 10 s")), 10_000);
    const onMessage = (msg: Buffer) => {
      const bvll = decodeBvll(msg);
      if (!bvll.ok || !bvll.bvll.npdu) return;
      const npdu = decodeNpdu(bvll.bvll.npdu, 0);
      if (!npdu.ok) return;
      const apdu = bvll.bvll.npdu.subarray(npdu.offset);
      const header = decodeSegmentedComplexAck(apdu, 0);
      if (!header || header.invokeId !== invokeId) return;
      const data = apdu.subarray(header.dataOffset);
      let result: SegmentOutcome;
      if (reassembly) result = reassembly.receive(header, data, Date.now());
      else {
        const started = SegmentReassembly.start(header, data, { maxWindow: 8, maxSegments: 64 }, Date.now());
        reassembly = started.reassembly;
        result = started.outcome;
      }
      if (result.ack) {
        if (result.ack.negative) naks++;
        const ackFrame = encodeBvll(
          BVLC_FUNCTION.originalUnicast,
          Buffer.concat([encodeNpdu({}), encodeSegmentAck(result.ack)]),
        );
        socket.send(ackFrame, SIM_PORT, target);
      }
      if (result.complete) {
        clearTimeout(timer);
        socket.off("message", onMessage);
        resolve({ apdu: result.complete, naks });
      }
    };
    socket.on("message", onMessage);
    socket.send(readObjectList(invokeId, LARGE), SIM_PORT, target);
  });
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
    "127.0.43.255",
    "--segmentation",
    "--objects",
    String(OBJECTS),
    "--drop-segment",
    "3",
  ]);
  socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(CLIENT_PORT, "127.0.43.1", () => resolve()));
}, 60_000);

afterAll(async () => {
  socket?.close();
  await sim?.stop();
});

describe("segmented Complex-ACK", () => {
  it("delivers a 5,000-object Object_List in one segmented reply, recovering the withheld segment", async () => {
    const devices = await sim.api<{ devices: Array<{ id: number; address: string; segmentation: boolean }> }>(
      "/api/devices",
    );
    const large = devices.devices.find((d) => d.id === LARGE);
    expect(large?.segmentation).toBe(true);
    const { apdu, naks } = await ask(large?.address ?? "", 5);
    expect(apdu[0]).toBe(0x30); // an unsegmented Complex-ACK once reassembled
    expect(apdu.length).toBeGreaterThan(5 * OBJECTS);
    const decoded = ReadProperty.decodeAcknowledge(apdu, 3, apdu.length - 3);
    const ids = (decoded?.values ?? []) as Array<{ value: { type: number; instance: number } }>;
    expect(ids).toHaveLength(OBJECTS + 1); // the device object itself is listed too
    expect(ids[0]?.value).toEqual({ type: 8, instance: LARGE });
    expect(ids.at(-1)?.value).toEqual({ type: 2, instance: OBJECTS });
    const stats = await sim.api<Segmentation>("/api/network");
    expect(stats.segmentation.droppedOnPurpose).toBe(1);
    expect(stats.segmentation.completed).toBe(1);
    // The gap was answered by one negative Segment-ACK, and the server resent from there.
    expect(naks).toBe(1);
    expect(stats.segmentation.negativeAcks).toBe(1);
  });

  it("answers a client that does not accept segmentation with Abort(segmentation-not-supported)", async () => {
    const devices = await sim.api<{ devices: Array<{ id: number; address: string }> }>("/api/devices");
    const target = devices.devices.find((d) => d.id === LARGE)?.address ?? "";
    const frame = readObjectList(6, LARGE);
    frame[6] = 0x00; // no segmented-response-accepted bit
    const reply = await new Promise<Buffer>((resolve) => {
      const onMessage = (msg: Buffer) => {
        if (msg[7] !== 6) return; // a late segment of the first test's transaction
        socket.off("message", onMessage);
        resolve(msg);
      };
      socket.on("message", onMessage);
      socket.send(frame, SIM_PORT, target);
    });
    expect([...reply.subarray(6)]).toEqual([0x71, 6, 4]);
  });
});
