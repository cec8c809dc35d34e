import { ApplicationTag } from "@bacnet-js/client";
import { WritePropertyMultiple } from "@bacnet-js/client/dist/lib/services/index.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import { describe, expect, it } from "vitest";
import { writeAccessSpecLength } from "./write-access-spec";

const ALL = 0xffffffff;

/** A WritePropertyMultiple request body as a standard client encodes it. */
function request(
  objects: { type: number; instance: number; values: { id: number; value: unknown; tag: number }[] }[],
) {
  const buf: EncodeBuffer = { buffer: Buffer.alloc(1500), offset: 0 };
  const ends: number[] = [];
  for (const o of objects) {
    WritePropertyMultiple.encode(
      buf,
      { type: o.type, instance: o.instance } as never,
      o.values.map((v) => ({
        property: { id: v.id, index: ALL },
        value: [{ type: v.tag, value: v.value }],
        priority: 8,
      })) as never,
    );
    ends.push(buf.offset);
  }
  return { bytes: buf.buffer.subarray(0, buf.offset), ends };
}

describe("writeAccessSpecLength", () => {
  it.each([
    [
      "one object, one REAL",
      [{ type: 2, instance: 1, values: [{ id: 85, value: 19.5, tag: ApplicationTag.REAL }] }],
    ],
    [
      "three objects, booleans, NULL and an enumerated",
      [
        { type: 2, instance: 1, values: [{ id: 85, value: 21, tag: ApplicationTag.REAL }] },
        { type: 4, instance: 3, values: [{ id: 85, value: 1, tag: ApplicationTag.ENUMERATED }] },
        {
          type: 2,
          instance: 4194303,
          values: [
            { id: 85, value: null, tag: ApplicationTag.NULL },
            { id: 81, value: true, tag: ApplicationTag.BOOLEAN },
          ],
        },
      ],
    ],
  ])("splits %s at each specification's end", (_name, objects) => {
    const { bytes, ends } = request(objects);
    let offset = 0;
    for (const end of ends) {
      const length = writeAccessSpecLength(bytes, offset, bytes.length);
      expect(length).toBe(end - offset);
      const decoded = WritePropertyMultiple.decode(bytes, offset, length!) as { len: number } | undefined;
      expect(decoded?.len).toBe(length);
      offset = end;
    }
  });

  it.each([
    ["empty", Buffer.alloc(0)],
    ["an object id and no list", Buffer.from([0x0c, 0x00, 0x80, 0x00, 0x01])],
    ["an unclosed list", Buffer.from([0x0c, 0x00, 0x80, 0x00, 0x01, 0x1e, 0x09, 0x55, 0x2e, 0x44])],
    ["a stray closing tag", Buffer.from([0x1f, 0x1f])],
  ])("refuses %s", (_name, bytes) => {
    expect(writeAccessSpecLength(bytes, 0, bytes.length)).toBeUndefined();
  });
});
