import { EventEmitter } from "node:events";
import bacnetModule, { type BACNetObjectID, ConfirmedServiceChoice } from "@bacnet-js/client";
import { afterAll, describe, expect, it } from "vitest";
import { peekApdu, ReplyMatcher } from "./reply-matcher";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

/** The library's own encoders write the frames: a transport that keeps what it is asked to send. */
class RecordingTransport extends EventEmitter {
  readonly sent: { datagram: Buffer; receiver: string | undefined }[] = [];
  open() {}
  close() {}
  getBroadcastAddress() {
    return "127.255.255.255:47808";
  }
  getMaxPayload() {
    return 1476;
  }
  send(buffer: Buffer, offset: number, receiver?: string) {
    this.sent.push({ datagram: Buffer.from(buffer.subarray(0, offset)), receiver });
  }
}

const transport = new RecordingTransport();
const client = new BACnetClient({ transport: transport as never, apduTimeout: 50 });
afterAll(() => client.close());

const AI1 = { type: 0, instance: 1 } as BACNetObjectID;
const DEVICE = "10.0.0.5:47808";

/** Sends a ReadProperty with a chosen invoke id and returns the frame the library produced. */
function readRequest(invokeId: number, receiver: { address: string; net?: number; adr?: number[] }) {
  client.readProperty(receiver, AI1, 85, { invokeId }).catch(() => undefined);
  return transport.sent.at(-1)!;
}

function complexAck(invokeId: number) {
  client.readPropertyResponse({ address: "192.0.2.1:47808" }, invokeId, AI1, { id: 85 } as never, [
    { type: 4, value: 99 },
  ]);
  return transport.sent.at(-1)!.datagram;
}

describe("peekApdu", () => {
  it("finds the invoke id of a confirmed request and of each reply type", () => {
    const request = readRequest(42, { address: DEVICE });
    expect(peekApdu(request.datagram)).toMatchObject({ pduType: 0, invokeId: 42 });
    expect(peekApdu(complexAck(42))).toMatchObject({ pduType: 3, invokeId: 42 });
    client.simpleAckResponse({ address: DEVICE }, ConfirmedServiceChoice.WRITE_PROPERTY, 7);
    expect(peekApdu(transport.sent.at(-1)!.datagram)).toMatchObject({ pduType: 2, invokeId: 7 });
    client.errorResponse({ address: DEVICE }, ConfirmedServiceChoice.READ_PROPERTY, 9, 2, 32);
    expect(peekApdu(transport.sent.at(-1)!.datagram)).toMatchObject({ pduType: 5, invokeId: 9 });
  });

  it("reads past a routed destination (DNET/DADR) to the APDU", () => {
    const request = readRequest(5, { address: DEVICE, net: 7, adr: [0x0a] });
    expect(peekApdu(request.datagram)).toMatchObject({ pduType: 0, invokeId: 5, destination: "7/0a" });
  });

  it("ignores what has no APDU: truncated frames, other BVLC functions, network-layer messages", () => {
    expect(peekApdu(Buffer.from([0x81, 0x0a, 0x00, 0x04]))).toBeUndefined();
    expect(peekApdu(Buffer.from([0x81, 0x00, 0x00, 0x06, 0x00, 0x00]))).toBeUndefined(); // BVLC-Result
    expect(peekApdu(Buffer.from([0x81, 0x0a, 0x00, 0x07, 0x01, 0x80, 0x00]))).toBeUndefined(); // Who-Is-Router
    expect(peekApdu(Buffer.from([0x81, 0x0a, 0x00, 0x08, 0x01, 0x20, 0x00, 0x07]))).toBeUndefined(); // cut DNET
  });
});

describe("ReplyMatcher", () => {
  it("accepts a reply only from the peer its request went to", () => {
    const matcher = new ReplyMatcher();
    const request = readRequest(17, { address: DEVICE });
    matcher.noteSent(request.datagram, request.receiver);
    expect(matcher.check(complexAck(17), DEVICE)).toBe("match");
    expect(matcher.check(complexAck(17), "10.0.0.66:47808")).toBe("foreign");
    expect(matcher.check(complexAck(17), "10.0.0.5:47809")).toBe("foreign");
    expect(matcher.check(complexAck(18), DEVICE)).toBe("unsolicited");
  });

  it("follows the library when it reuses an invoke id for another device", () => {
    const matcher = new ReplyMatcher();
    const first = readRequest(3, { address: DEVICE });
    matcher.noteSent(first.datagram, first.receiver);
    const second = readRequest(3, { address: "10.0.0.6:47808" });
    matcher.noteSent(second.datagram, second.receiver);
    expect(matcher.check(complexAck(3), "10.0.0.6:47808")).toBe("match");
    expect(matcher.check(complexAck(3), DEVICE)).toBe("foreign");
  });

  it("treats requests and unconfirmed messages as not-a-reply, whoever sends them", () => {
    const matcher = new ReplyMatcher();
    const request = readRequest(1, { address: DEVICE });
    expect(matcher.check(request.datagram, "10.0.0.66:47808")).toBe("not-a-reply");
    client.iAmResponse({ address: DEVICE }, 1001, 3, 999);
    expect(matcher.check(transport.sent.at(-1)!.datagram, "10.0.0.66:47808")).toBe("not-a-reply");
  });

  it("requires a routed reply to come back from the network and MAC the request went to", () => {
    const matcher = new ReplyMatcher();
    const request = readRequest(11, { address: DEVICE, net: 7, adr: [0x0a] });
    matcher.noteSent(request.datagram, request.receiver);
    // The router answers from its B/IP address with SNET/SADR naming the device.
    const reply = (snet: number, sadr: number) => {
      const ack = complexAck(11);
      // BVLC(4) NPDU version, control with SNET, SNET, SLEN, SADR, then the APDU.
      const npdu = Buffer.from([0x01, 0x08, snet >> 8, snet & 0xff, 0x01, sadr]);
      const apdu = ack.subarray(6);
      const frame = Buffer.concat([Buffer.from([0x81, 0x0a, 0, 0]), npdu, apdu]);
      frame.writeUInt16BE(frame.length, 2);
      return frame;
    };
    expect(matcher.check(reply(7, 0x0a), DEVICE)).toBe("match");
    expect(matcher.check(reply(7, 0x0b), DEVICE)).toBe("foreign");
    expect(matcher.check(complexAck(11), DEVICE)).toBe("foreign");
  });

  it("judges a Forwarded-NPDU reply by its UDP sender, not by the originator it names", () => {
    const matcher = new ReplyMatcher();
    const request = readRequest(21, { address: DEVICE });
    matcher.noteSent(request.datagram, request.receiver);
    const ack = complexAck(21);
    // Forwarded-NPDU whose originator field claims to be the device.
    const forwarded = Buffer.concat([
      Buffer.from([0x81, 0x04, 0, 0, 10, 0, 0, 5, 0xba, 0xc0]),
      ack.subarray(4),
    ]);
    forwarded.writeUInt16BE(forwarded.length, 2);
    expect(peekApdu(forwarded)).toMatchObject({ originator: DEVICE, invokeId: 21 });
    expect(matcher.check(forwarded, "10.0.0.66:47808")).toBe("foreign");
  });
});
