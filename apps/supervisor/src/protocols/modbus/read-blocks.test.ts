import { describe, expect, it } from "vitest";
import { type BlockMember, groupReadBlocks } from "./read-blocks";

function m(table: BlockMember["table"], address: number, words = 1): BlockMember {
  return { table, address, words };
}

function shape(members: BlockMember[], limits?: { registers: number; bits: number }) {
  return groupReadBlocks(members, limits).map((b) => [b.table, b.start, b.count, b.members.length]);
}

describe("groupReadBlocks", () => {
  it("merges contiguous and overlapping registers of one table into one block", () => {
    expect(
      shape([m("holding_register", 2, 2), m("holding_register", 0, 2), m("holding_register", 4)]),
    ).toEqual([["holding_register", 0, 5, 3]]);
    // Two bitfields of one status word and the word itself overlap.
    expect(shape([m("input_register", 1), m("input_register", 1), m("input_register", 0, 2)])).toEqual([
      ["input_register", 0, 2, 3],
    ]);
  });

  it("never spans a gap, so an address the device lacks cannot fail its neighbours", () => {
    expect(shape([m("holding_register", 0), m("holding_register", 2)])).toEqual([
      ["holding_register", 0, 1, 1],
      ["holding_register", 2, 1, 1],
    ]);
  });

  it("keeps tables apart", () => {
    expect(shape([m("holding_register", 0), m("input_register", 1), m("coil", 2)])).toEqual([
      ["holding_register", 0, 1, 1],
      ["input_register", 1, 1, 1],
      ["coil", 2, 1, 1],
    ]);
  });

  it("splits at 125 registers and 2000 bits, and never splits one value across blocks", () => {
    const registers = Array.from({ length: 130 }, (_, i) => m("holding_register", i));
    expect(shape(registers)).toEqual([
      ["holding_register", 0, 125, 125],
      ["holding_register", 125, 5, 5],
    ]);
    const floats = Array.from({ length: 63 }, (_, i) => m("input_register", i * 2, 2));
    // 62 floats fill 124 registers; the 63rd would straddle 125, so it opens the next block.
    expect(shape(floats)).toEqual([
      ["input_register", 0, 124, 62],
      ["input_register", 124, 2, 1],
    ]);
    const coils = Array.from({ length: 2001 }, (_, i) => m("coil", i));
    expect(shape(coils)).toEqual([
      ["coil", 0, 2000, 2000],
      ["coil", 2000, 1, 1],
    ]);
  });

  it("honours a device's smaller limit", () => {
    const registers = Array.from({ length: 10 }, (_, i) => m("holding_register", i));
    expect(shape(registers, { registers: 4, bits: 2000 }).map((b) => b[2])).toEqual([4, 4, 2]);
  });
});
