import { describe, expect, it } from "vitest";
import {
  decodeSegmentAck,
  decodeSegmentedComplexAck,
  encodeSegmentAck,
  encodeSegmentedComplexAckHeader,
  maxSegmentsFromCode,
  type SegmentHeader,
  SegmentReassembly,
} from "./index";

const limits = { maxWindow: 4, maxSegments: 64 };

function segment(sequence: number, moreFollows: boolean, text: string, window = 4): [SegmentHeader, Buffer] {
  const bytes = Buffer.concat([
    encodeSegmentedComplexAckHeader({
      invokeId: 9,
      sequence,
      proposedWindow: window,
      service: 12,
      moreFollows,
    }),
    Buffer.from(text),
  ]);
  const header = decodeSegmentedComplexAck(bytes, 0);
  if (!header) throw new Error("not a segment");
  return [header, bytes.subarray(header.dataOffset)];
}

describe("segment headers", () => {
  it("encodes a segmented Complex-ACK header and a Segment-ACK byte for byte", () => {
    // 0x3c = Complex-ACK, segmented, more follows; invoke 9, sequence 2, window 4, service 12
    expect(
      encodeSegmentedComplexAckHeader({
        invokeId: 9,
        sequence: 2,
        proposedWindow: 4,
        service: 12,
        moreFollows: true,
      }).toString("hex"),
    ).toBe("3c0902040c");
    expect(
      encodeSegmentAck({ negative: true, server: false, invokeId: 9, sequence: 3, window: 4 }).toString(
        "hex",
      ),
    ).toBe("42090304");
    expect(decodeSegmentAck(Buffer.from("41090304", "hex"), 0)).toEqual({
      negative: false,
      server: true,
      invokeId: 9,
      sequence: 3,
      window: 4,
    });
    expect(decodeSegmentedComplexAck(Buffer.from("30090c", "hex"), 0)).toBeUndefined(); // not segmented
    expect(decodeSegmentedComplexAck(Buffer.from("3c0902", "hex"), 0)).toBeUndefined(); // truncated
    expect(maxSegmentsFromCode(7)).toBe(65);
  });
});

describe("SegmentReassembly", () => {
  it("acks the first segment and each full window, and assembles the whole APDU", () => {
    const [h0, d0] = segment(0, true, "a");
    const start = SegmentReassembly.start(h0, d0, limits, 0);
    expect(start.outcome.ack).toMatchObject({ sequence: 0, window: 4, negative: false });
    const r = start.reassembly!;
    const acks: number[] = [];
    let complete: Buffer | undefined;
    for (let seq = 1; seq <= 9; seq++) {
      const [h, d] = segment(seq, seq < 9, String.fromCharCode(97 + seq));
      const outcome = r.receive(h, d, seq);
      if (outcome.ack) acks.push(outcome.ack.sequence);
      complete ??= outcome.complete;
    }
    expect(acks).toEqual([4, 8, 9]); // windows 1-4, 5-8, then the last segment
    expect(complete?.toString("hex")).toBe(`30090c${Buffer.from("abcdefghij").toString("hex")}`);
  });

  it("answers a gap with a negative ack, then accepts the resent segments", () => {
    const [h0, d0] = segment(0, true, "a");
    const r = SegmentReassembly.start(h0, d0, limits, 0).reassembly!;
    r.receive(...segment(1, true, "b"), 1);
    const gap = r.receive(...segment(3, true, "d"), 2); // 2 was lost
    expect(gap.ack).toMatchObject({ negative: true, sequence: 1 });
    expect(r.receive(...segment(4, true, "e"), 2)).toEqual({}); // same gap: one NAK is enough
    expect(r.receive(...segment(2, true, "c"), 3).ack).toBeUndefined();
    const last = r.receive(...segment(3, false, "d"), 4);
    expect(last.complete?.subarray(3).toString()).toBe("abcd");
  });

  it("re-acks a duplicate and refuses a segment beyond the window", () => {
    const [h0, d0] = segment(0, true, "a");
    const r = SegmentReassembly.start(h0, d0, limits, 0).reassembly!;
    r.receive(...segment(1, true, "b"), 1);
    expect(r.receive(...segment(1, true, "b"), 2)).toMatchObject({ duplicate: true, ack: { sequence: 1 } });
    expect(r.receive(...segment(9, true, "x"), 3)).toEqual({ refused: "out-of-window" });
    expect(SegmentReassembly.start(...segment(5, true, "z"), limits, 0).outcome.refused).toBe(
      "out-of-window",
    );
  });

  it("wraps sequence numbers at 256 and bounds the segment count", () => {
    const [h0, d0] = segment(0, true, "x", 127);
    const r = SegmentReassembly.start(h0, d0, { maxWindow: 127, maxSegments: 300 }, 0).reassembly!;
    let done: Buffer | undefined;
    for (let i = 1; i < 260; i++) done = r.receive(...segment(i % 256, i < 259, "x", 127), i).complete;
    expect(done?.length).toBe(3 + 260);
    const small = SegmentReassembly.start(...segment(0, true, "x"), { maxWindow: 4, maxSegments: 2 }, 0)
      .reassembly!;
    small.receive(...segment(1, true, "x"), 1);
    expect(small.receive(...segment(2, true, "x"), 2).refused).toBe("too-many-segments");
  });

  it("expires after the segment timeout without activity", () => {
    const r = SegmentReassembly.start(...segment(0, true, "a"), limits, 1000).reassembly!;
    expect(r.expired(1500, 2000)).toBe(false);
    expect(r.expired(3500, 2000)).toBe(true);
  });
});
