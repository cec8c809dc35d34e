import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { BacnetService } from "./bacnet-service";

/** Deterministic bytes, so a failure can be replayed. */
function random(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** A BVLC header that claims to be BACnet/IP, then NPDU/APDU bytes that are mostly nonsense. */
function datagram(next: () => number): Buffer {
  const length = 4 + Math.floor(next() * 80);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  bytes[0] = 0x81;
  bytes[1] = [0x0a, 0x0b, 0x04, 0x00, 0x05, 0x09][Math.floor(next() * 6)] ?? 0x0a;
  if (next() < 0.7) bytes.writeUInt16BE(length, 2);
  if (next() < 0.6 && length > 5) bytes[4] = 0x01;
  if (next() < 0.5 && length > 7)
    bytes[6] = [0x00, 0x10, 0x20, 0x30, 0x50, 0x60, 0x70][Math.floor(next() * 7)] ?? 0x10;
  return bytes;
}

describe("the supervisor's BACnet client under hostile datagrams", () => {
  it("survives 20,000 malformed packets on its port and keeps working", async () => {
    const service = new BacnetService({
      bindAddress: "127.0.0.1",
      port: 0,
      broadcast: "127.255.255.255:47999",
      requestTimeoutMs: 500,
      retries: 0,
      perDeviceConcurrency: 1,
      maxInFlight: 10,
      offlineAfterFailures: 2,
    });
    await service.start();
    const port = (
      service as unknown as { transport: { socket: { address(): { port: number } } } }
    ).transport.socket.address().port;
    const socket = createSocket("udp4");
    const next = random(20261128);
    // In batches the socket's receive buffer can hold: the kernel drops what overflows, not our code.
    for (let batch = 0; batch < 200; batch++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<void>((resolve) => socket.send(datagram(next), port, "127.0.0.1", () => resolve())),
        ),
      );
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 200));
    socket.close();
    const stats = service.transportStats;
    expect((stats?.received ?? 0) + (stats?.dropped ?? 0)).toBeGreaterThan(15_000);
    // Still a working client: a Who-Is goes out and nothing has thrown.
    expect(() => service.whoIs()).not.toThrow();
    service.stop();
  });
});

describe("point reads under hostile ReadPropertyMultiple answers", () => {
  it("turns 3,000 garbled answers into bad points, never a throw, then reads a good answer", async () => {
    // A fake device at a pinned address (outside the packet-capture range: it sends garbage on purpose).
    const device = createSocket("udp4");
    await new Promise<void>((resolve) => device.bind(48876, "127.0.63.10", resolve));
    const service = new BacnetService({
      bindAddress: "127.0.63.250",
      port: 0,
      broadcast: "127.255.255.255:48999",
      requestTimeoutMs: 500,
      retries: 0,
      perDeviceConcurrency: 1,
      maxInFlight: 10,
      // Every garbled answer is a failed request; the device must stay online for the next round.
      offlineAfterFailures: 1_000_000,
      pins: new Map([[777, { address: "127.0.63.10:48876" }]]),
    });
    await service.start();
    // A valid answer for three analog inputs' presentValue (context 0 object id, opening 1, property 85,
    // opening 4, REAL, closing 4, closing 1), which the fuzzer garbles.
    const result = (instance: number, real: number) => {
      const b = Buffer.from("0c000000001e29554e44000000004f1f", "hex");
      b.writeUInt32BE(instance, 1);
      b.writeFloatBE(real, 10);
      return b;
    };
    const valid = Buffer.concat([result(1, 21.5), result(2, 22.5), result(3, 23.5)]);
    const next = random(20261201);
    let garble = true;
    device.on("message", (msg, rinfo) => {
      // Our frames: BVLC (4), NPDU (2), then the confirmed request's header; the invoke id is byte 8.
      let body = Buffer.from(valid);
      if (garble) {
        if (next() < 0.25) body = Buffer.alloc(Math.floor(next() * 60), Math.floor(next() * 256));
        for (let k = 0; k < 1 + Math.floor(next() * 4); k++)
          if (body.length > 0) body[Math.floor(next() * body.length)] = Math.floor(next() * 256);
        if (next() < 0.3) body = body.subarray(0, Math.floor(next() * body.length));
      }
      const apdu = Buffer.concat([Buffer.from([0x30, msg[8] ?? 0, 0x0e]), body]);
      const frame = Buffer.concat([Buffer.from([0x81, 0x0a, 0, 0, 0x01, 0x00]), apdu]);
      frame.writeUInt16BE(frame.length, 2);
      device.send(frame, rinfo.port, rinfo.address);
    });
    const refs = [1, 2, 3].map((instance) => ({
      protocol: "bacnet" as const,
      device: 777,
      objectType: "analogInput",
      instance,
      property: "presentValue",
    }));
    const qualities = new Map<string, number>();
    for (let round = 0; round < 3000; round++) {
      const results = await service.readPoints(refs as never);
      expect(results).toHaveLength(3);
      for (const r of results) qualities.set(r.quality, (qualities.get(r.quality) ?? 0) + 1);
    }
    // Most garbled answers are refused whole or per point; a change to a value's bytes still reads.
    expect(qualities.get("bad") ?? 0).toBeGreaterThan(3000);
    garble = false;
    const good = await service.readPoints(refs as never);
    expect(good.map((r) => [r.quality, r.value])).toEqual([
      ["good", 21.5],
      ["good", 22.5],
      ["good", 23.5],
    ]);
    service.stop();
    device.close();
  }, 60_000);
});
