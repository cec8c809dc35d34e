import { describe, expect, it } from "vitest";
import {
  BVLC_FUNCTION,
  decodeBvll,
  decodeNetworkList,
  decodeNpdu,
  decodeWhoIsRouterNetwork,
  encodeBvll,
  encodeIAmRouter,
  encodeNpdu,
  encodeRegisterForeignDevice,
  encodeWhoIsRouter,
  endpointToMac,
  GLOBAL_NETWORK,
  macToEndpoint,
  NETWORK_MESSAGE,
} from "./index";

const hex = (b: Buffer) => b.toString("hex");

describe("NPDU encoding", () => {
  it("writes DNET/DADR and the hop count for a request to a routed MS/TP device", () => {
    // version 1, control 0x24 (destination, expecting reply), DNET 2001 = 0x07d1, DLEN 1, DADR 0x05, hop 255
    expect(hex(encodeNpdu({ destination: { net: 2001, adr: [5] }, expectingReply: true }))).toBe(
      "012407d10105ff",
    );
  });

  it("writes a global broadcast as DNET 0xFFFF with DLEN 0", () => {
    expect(hex(encodeNpdu({ destination: { net: GLOBAL_NETWORK, adr: [] } }))).toBe("0120ffff00ff");
  });

  it("writes SNET/SADR as a router does when it forwards a reply", () => {
    expect(hex(encodeNpdu({ source: { net: 2002, adr: [17] } }))).toBe("010807d20111");
  });

  it("writes network-layer messages, with the vendor id for proprietary ones", () => {
    expect(hex(encodeWhoIsRouter())).toBe("018000");
    expect(hex(encodeWhoIsRouter(2001))).toBe("01800007d1");
    expect(hex(encodeIAmRouter([2001, 2002]))).toBe("01800107d107d2");
    expect(hex(encodeNpdu({ messageType: 0x80, vendorId: 999 }))).toBe("018080" + "03e7");
  });
});

describe("NPDU decoding", () => {
  it("reads back what it wrote", () => {
    const bytes = Buffer.concat([
      encodeNpdu({
        destination: { net: 5, adr: [1, 2] },
        source: { net: 2001, adr: [9] },
        hopCount: 7,
        expectingReply: true,
      }),
      Buffer.from([0x10, 0x08]),
    ]);
    const decoded = decodeNpdu(bytes, 0);
    expect(decoded).toEqual({
      ok: true,
      offset: bytes.length - 2,
      npdu: {
        expectingReply: true,
        priority: 0,
        destination: { net: 5, adr: [1, 2] },
        source: { net: 2001, adr: [9] },
        hopCount: 7,
      },
    });
  });

  it("decodes an I-Am-Router-To-Network and a Who-Is-Router", () => {
    const iAm = encodeIAmRouter([2001, 2002, 2003]);
    const decoded = decodeNpdu(iAm, 0);
    expect(decoded.ok && decoded.npdu.messageType).toBe(NETWORK_MESSAGE.iAmRouterToNetwork);
    expect(decoded.ok && decodeNetworkList(iAm, decoded.offset)).toEqual([2001, 2002, 2003]);
    const whoIs = encodeWhoIsRouter(7);
    const w = decodeNpdu(whoIs, 0);
    expect(w.ok && decodeWhoIsRouterNetwork(whoIs, w.offset)).toBe(7);
    expect(decodeWhoIsRouterNetwork(encodeWhoIsRouter(), 3)).toBeUndefined();
  });

  it("refuses what no device may send, with a code per problem", () => {
    const problem = (h: string) => {
      const r = decodeNpdu(Buffer.from(h, "hex"), 0);
      return r.ok ? "ok" : r.problem;
    };
    expect(problem("02001008")).toBe("version");
    expect(problem("01501008")).toBe("reserved-bits");
    expect(problem("010807d1001008")).toBe("bad-sadr-length"); // SLEN 0
    expect(problem("010807d1081122334455667788")).toBe("bad-sadr-length"); // SLEN 8
    expect(problem("0108ffff01051008")).toBe("bad-snet");
    expect(problem("0108000001051008")).toBe("bad-snet");
    expect(problem("010807d10305")).toBe("truncated"); // SLEN 3, one octet present
    expect(problem("012007d101")).toBe("truncated");
    expect(problem("0100")).toBe("no-apdu");
    expect(problem("01")).toBe("truncated");
    expect(decodeNetworkList(Buffer.from("07d107", "hex"), 0)).toBeUndefined();
    expect(decodeNetworkList(Buffer.alloc(0), 0)).toBeUndefined();
  });
});

describe("BVLL", () => {
  it("encodes Register-Foreign-Device with its TTL", () => {
    expect(hex(encodeRegisterForeignDevice(300))).toBe("81050006012c");
    expect(decodeBvll(encodeRegisterForeignDevice(300))).toEqual({
      ok: true,
      bvll: { func: BVLC_FUNCTION.registerForeignDevice, ttlS: 300 },
    });
  });

  it("carries the originator's B/IP address in a Forwarded-NPDU", () => {
    const npdu = Buffer.from("01001008", "hex");
    const frame = encodeBvll(BVLC_FUNCTION.forwardedNpdu, npdu, { address: "127.0.43.7", port: 47809 });
    expect(hex(frame)).toBe("8104000e" + "7f002b07bac1" + "01001008");
    const decoded = decodeBvll(frame);
    expect(decoded.ok && decoded.bvll.origin).toEqual({ address: "127.0.43.7", port: 47809 });
    expect(decoded.ok && hex(decoded.bvll.npdu ?? Buffer.alloc(0))).toBe("01001008");
  });

  it("wraps an NPDU for Distribute-Broadcast-To-Network", () => {
    expect(hex(encodeBvll(BVLC_FUNCTION.distributeBroadcastToNetwork, Buffer.from("01001008", "hex")))).toBe(
      "8109000801001008",
    );
  });

  it("refuses a wrong length, a foreign type and a short forwarded frame", () => {
    expect(decodeBvll(Buffer.from("810a000901001008", "hex"))).toEqual({
      ok: false,
      problem: "length-mismatch",
    });
    expect(decodeBvll(Buffer.from("820a0004", "hex"))).toEqual({ ok: false, problem: "not-bvll" });
    expect(decodeBvll(Buffer.from("8104000a7f0000010001", "hex"))).toEqual({
      ok: false,
      problem: "truncated",
    });
    expect(decodeBvll(Buffer.from("81ff0004", "hex"))).toEqual({ ok: false, problem: "unknown-function" });
  });

  it("converts B/IP endpoints to 6-octet MACs and back", () => {
    expect(endpointToMac({ address: "10.1.2.3", port: 47808 })).toEqual([10, 1, 2, 3, 0xba, 0xc0]);
    expect(macToEndpoint([10, 1, 2, 3, 0xba, 0xc0])).toEqual({ address: "10.1.2.3", port: 47808 });
    expect(macToEndpoint([5])).toBeUndefined();
  });
});
