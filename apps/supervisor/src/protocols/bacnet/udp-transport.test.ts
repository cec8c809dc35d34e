import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { literalLookup, UdpTransport } from "./udp-transport";

describe("literalLookup", () => {
  it("answers an IPv4 literal before it returns once bound, so a send leaves at once", () => {
    let answer: unknown[] | undefined;
    literalLookup(() => true)("127.0.97.20", 4, (...args) => {
      answer = args;
    });
    expect(answer).toEqual([null, "127.0.97.20", 4]);
  });

  it("answers the bind's lookup on the next tick, as node:dgram does", async () => {
    let answer: unknown[] | undefined;
    literalLookup(() => false)("127.0.97.20", 4, (...args) => {
      answer = args;
    });
    expect(answer).toBeUndefined();
    await new Promise((resolve) => process.nextTick(resolve));
    expect(answer).toEqual([null, "127.0.97.20", 4]);
  });

  it("asks DNS for a name, as node:dgram would", async () => {
    const answer = await new Promise<unknown[]>((resolve) => {
      let sync = true;
      literalLookup(() => true)("localhost", 4, (...args) => resolve([...args, sync]));
      sync = false;
    });
    expect(answer).toEqual([null, "127.0.0.1", 4, false]);
  });
});

describe("UdpTransport sends", () => {
  it("puts a datagram on the wire to a literal address", async () => {
    const peer = createSocket("udp4");
    await new Promise<void>((resolve) => peer.bind(0, "127.0.97.21", resolve));
    const transport = new UdpTransport({ bindAddress: "127.0.97.22", port: 0, broadcast: "127.0.97.255" });
    try {
      // "listening" comes after open() returns: the library's client listens for it only then.
      transport.open();
      await new Promise((resolve) => transport.once("listening", resolve));
      const got = new Promise<Buffer>((resolve) => peer.once("message", resolve));
      const frame = Buffer.from([0x81, 0x0a, 0x00, 0x06, 0x01, 0x00]);
      transport.sendOwned(frame, `127.0.97.21:${peer.address().port}`);
      expect([...(await got)]).toEqual([...frame]);
      expect(transport.stats.sendErrors).toBe(0);
    } finally {
      transport.close();
      peer.close();
    }
  });
});

describe("UdpTransport receives", () => {
  /** Hands a datagram to the transport's socket handler, as node:dgram would. */
  const deliver = (transport: UdpTransport, hex: string) =>
    (transport as unknown as { receive(msg: Buffer, rinfo: object): void }).receive(Buffer.from(hex, "hex"), {
      address: "127.0.109.50",
      port: 48111,
    });

  it("drops a Reject-Message-To-Network cut short instead of reading past its end", () => {
    const transport = new UdpTransport({ bindAddress: "127.0.109.1", port: 0, broadcast: "127.0.109.255" });
    const rejects: unknown[][] = [];
    transport.on("reject-message-to-network", (...args) => rejects.push(args));
    for (const hex of ["810a0007018003", "810a000801800301", "810a00090180030100"])
      expect(() => deliver(transport, hex)).not.toThrow();
    expect(transport.stats.dropped).toBe(3);
    deliver(transport, "810a000a0180030100" + "05");
    expect(rejects).toEqual([["127.0.109.50:48111", 1, 5]]);
  });

  it("counts a datagram whose listener throws as dropped, and warns, rather than throwing out of the socket", () => {
    const transport = new UdpTransport({ bindAddress: "127.0.109.1", port: 0, broadcast: "127.0.109.255" });
    const warnings: string[] = [];
    transport.on("warning", (w: string) => warnings.push(w));
    transport.on("message", () => {
      throw new RangeError("a decoder read past the end");
    });
    expect(() => deliver(transport, "810a0009010010080900")).not.toThrow();
    expect(transport.stats.dropped).toBe(1);
    expect(warnings[0]).toMatch(/dropped \(1 so far\): RangeError: a decoder read past the end/);
  });
});
