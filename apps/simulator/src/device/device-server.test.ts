import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";
import { ReadProperty, SubscribeCov } from "@bacnet-js/client/dist/lib/services/index.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import { describe, expect, it, vi } from "vitest";
import { SimObject } from "../objects/sim-object";
import { DeviceServer } from "./device-server";
import { SimDevice } from "./sim-device";

const CLIENT = { address: "127.0.0.1", port: 47809 };

function setup() {
  const device = new SimDevice({ instance: 1001, name: "Test", address: "127.0.0.2" });
  const ai = new SimObject({ type: 0, instance: 1, name: "Zone Temp", units: 62, covIncrement: 0.5 });
  const bo = new SimObject({ type: 4, instance: 1, name: "Cmd", relinquishDefault: 0 });
  device.addObject(ai);
  device.addObject(bo);
  const sent: Buffer[] = [];
  let now = 1_000_000;
  const server = new DeviceServer(device, { send: (frame) => sent.push(frame) }, () => now);
  return { device, ai, bo, sent, server, advance: (ms: number) => (now += ms) };
}

/** A confirmed request frame: BVLC + NPDU (expecting reply) + APDU header + service parameters. */
function confirmed(service: number, invokeId: number, body: (buf: EncodeBuffer) => void): Buffer {
  const buf: EncodeBuffer = { buffer: Buffer.alloc(512), offset: 0 };
  body(buf);
  const params = [...buf.buffer.subarray(0, buf.offset)];
  const npduApdu = [0x01, 0x04, 0x00, 0x05, invokeId, service, ...params];
  return Buffer.from([0x81, 0x0a, 0, npduApdu.length + 4, ...npduApdu]);
}

describe("DeviceServer", () => {
  it("answers ReadProperty with a ComplexACK the library decodes", () => {
    const { server, sent } = setup();
    server.handle(
      confirmed(12, 9, (b) => ReadProperty.encode(b, 0, 1, 77, 0xffffffff)),
      CLIENT,
    );
    expect(sent).toHaveLength(1);
    const frame = sent[0] ?? Buffer.alloc(0);
    expect(frame[6]).toBe(0x30); // ComplexACK
    expect(frame[7]).toBe(9); // invoke id echoed
    const decoded = ReadProperty.decodeAcknowledge(frame, 9, frame.length - 9);
    expect(decoded?.values[0]?.value).toBe("Zone Temp");
  });

  it("never throws on random datagrams, with or without a valid header", () => {
    const { server } = setup();
    let seed = 42;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 20_000; i++) {
      const body = Array.from({ length: Math.floor(random() * 48) }, () => Math.floor(random() * 256));
      const withHeader = i % 2 === 0;
      const bytes = withHeader ? [0x81, 0x0a, 0, body.length + 8, 0x01, 0x04, 0x00, 0x05, ...body] : body;
      expect(() => server.handle(Buffer.from(bytes), CLIENT)).not.toThrow();
    }
    expect(server.stats.received).toBe(20_000);
  });

  it("expires COV subscriptions after their lifetime and honours covIncrement", () => {
    const { server, sent, ai, device, advance } = setup();
    ai.setProcessValue(20);
    server.handle(
      confirmed(5, 3, (b) => SubscribeCov.encode(b, 77, { type: 0, instance: 1 }, false, false, 10)),
      CLIENT,
    );
    expect(sent).toHaveLength(2); // SimpleACK, then the initial notification
    expect(sent[0]?.[6]).toBe(0x20);
    expect(sent[1]?.[6]).toBe(0x10); // unconfirmed request
    ai.setProcessValue(20.3);
    server.checkCov();
    expect(sent).toHaveLength(2); // below covIncrement 0.5
    ai.setProcessValue(20.6);
    server.checkCov();
    expect(sent).toHaveLength(3);
    advance(11_000);
    ai.setProcessValue(30);
    server.checkCov();
    expect(sent).toHaveLength(3);
    expect(device.cov.size).toBe(0);
  });

  it("encodes the COV notification's time remaining and values without an array index", () => {
    const { server, sent } = setup();
    server.handle(
      confirmed(5, 4, (b) => SubscribeCov.encode(b, 5, { type: 4, instance: 1 }, false, false, 300)),
      CLIENT,
    );
    const notification = sent[1] ?? Buffer.alloc(0);
    // Parameters start after BVLC(4) + NPDU(2) + APDU header(2).
    const params = notification.subarray(8);
    expect(params[0]).toBe(0x09); // [0] subscriber process id, 1 octet
    expect(params[1]).toBe(5);
    const tag = asn1.decodeTagNumberAndValue(notification, 8 + 2 + 5 + 5);
    expect(tag.tagNumber).toBe(3);
    expect(asn1.decodeUnsigned(notification, 8 + 2 + 5 + 5 + tag.len, tag.value ?? 0).value).toBe(300);
  });
});

describe("confirmed COV notifications", () => {
  it("are resent until acknowledged, at most three times", () => {
    vi.useFakeTimers();
    try {
      const { server, sent } = setup();
      server.handle(
        confirmed(5, 6, (b) => SubscribeCov.encode(b, 9, { type: 4, instance: 1 }, false, true, 0)),
        CLIENT,
      );
      expect(sent).toHaveLength(2);
      const notification = sent[1] ?? Buffer.alloc(0);
      expect(notification[6]).toBe(0x00); // confirmed request
      const invokeId = notification[8] ?? -1;
      expect(server.pendingConfirmed).toBe(1);
      vi.advanceTimersByTime(3000);
      expect(sent).toHaveLength(3);
      expect(sent[2]).toEqual(notification);
      // The subscriber's SimpleACK ends it.
      server.handle(Buffer.from([0x81, 0x0a, 0, 9, 0x01, 0x00, 0x20, invokeId, 0x01]), CLIENT);
      expect(server.pendingConfirmed).toBe(0);
      vi.advanceTimersByTime(20_000);
      expect(sent).toHaveLength(3);

      // A silent subscriber gets the original plus three retries, then nothing more.
      const { server: other, sent: otherSent, bo } = setup();
      other.handle(
        confirmed(5, 7, (b) => SubscribeCov.encode(b, 9, { type: 4, instance: 1 }, false, true, 0)),
        CLIENT,
      );
      bo.writePresentValue(1, 8);
      expect(otherSent).toHaveLength(2);
      vi.advanceTimersByTime(60_000);
      expect(otherSent).toHaveLength(5);
      expect(other.pendingConfirmed).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("routed requests", () => {
  it("answers a request carrying SNET/SADR with DNET/DADR so a router can deliver it", () => {
    const { server, sent } = setup();
    const plain = confirmed(12, 21, (b) => ReadProperty.encode(b, 0, 1, 85, 0xffffffff));
    // Re-build the NPDU with a source specifier: SNET 5, SLEN 1, SADR 0x17.
    const apdu = [...plain.subarray(6)];
    const npdu = [0x01, 0x0c, 0x00, 0x05, 0x01, 0x17];
    const frame = Buffer.from([0x81, 0x0a, 0, 4 + npdu.length + apdu.length, ...npdu, ...apdu]);
    server.handle(frame, CLIENT);
    const reply = sent[0] ?? Buffer.alloc(0);
    expect([...reply.subarray(4, 11)]).toEqual([0x01, 0x20, 0x00, 0x05, 0x01, 0x17, 0xff]);
    expect(reply[11]).toBe(0x30); // ComplexACK right after the hop count
  });

  it("ignores messages addressed to another network and network-layer messages", () => {
    const { server, sent } = setup();
    const apdu = [...confirmed(12, 22, (b) => ReadProperty.encode(b, 0, 1, 85, 0xffffffff)).subarray(6)];
    const remote = [0x01, 0x24, 0x00, 0x09, 0x00, 0xff, ...apdu]; // DNET 9
    server.handle(Buffer.from([0x81, 0x0a, 0, 4 + remote.length, ...remote]), CLIENT);
    const whoIsRouter = [0x01, 0x80, 0x00];
    server.handle(Buffer.from([0x81, 0x0b, 0, 4 + whoIsRouter.length, ...whoIsRouter]), CLIENT);
    expect(sent).toHaveLength(0);
    const global = [0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08]; // global broadcast Who-Is
    server.handle(Buffer.from([0x81, 0x0b, 0, 4 + global.length, ...global]), CLIENT);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[7]).toBe(0x00); // I-Am service choice
  });
});
