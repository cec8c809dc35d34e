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
