import { EventEmitter } from "node:events";
import bacnetModule, { ApplicationTag, type BACNetReadAccessSpecification } from "@bacnet-js/client";
import { ReadPropertyMultiple } from "@bacnet-js/client/dist/lib/services/index.js";
import { describe, expect, it } from "vitest";
import {
  decodeRpmAck,
  encodeRpmRequest,
  type RpmRead,
  rpmRequestWithInvokeId,
  visitRpmAck,
} from "./read-property-multiple";

const BACnetClient: typeof bacnetModule =
  (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;

/** The library's client over a transport that keeps what it is asked to send (no socket). */
function capturingClient() {
  const sent: Buffer[] = [];
  const transport = Object.assign(new EventEmitter(), {
    open() {},
    close() {},
    getBroadcastAddress: () => "127.0.63.255",
    getMaxPayload: () => 1476,
    send(buffer: Buffer, offset: number) {
      sent.push(Buffer.from(buffer.subarray(0, offset)));
    },
  });
  const client = new BACnetClient({ transport: transport as never, apduTimeout: 50 });
  return { client, sent };
}

/** The frame the library sends for these reads with this invoke id. */
async function libraryFrame(reads: readonly RpmRead[], invokeId: number): Promise<Buffer> {
  const { client, sent } = capturingClient();
  const specs = reads.map((r) => ({
    objectId: { type: r.objectType, instance: r.instance },
    properties: [{ id: r.property, index: r.index ?? 0xffffffff }],
  })) as BACNetReadAccessSpecification[];
  // Nobody answers: the request times out after it was sent, which is all this needs.
  await client.readPropertyMultiple({ address: "127.0.63.1:47808" }, specs, { invokeId }).catch(() => {});
  client.close();
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

type AckValue = { type: number; value: unknown };
type AckResult = {
  objectId: { type: number; instance: number };
  values: { property: { id: number; index: number }; value: AckValue[] }[];
};

/** ReadPropertyMultiple-ACK service data, encoded by the library. */
function libraryAck(results: AckResult[]): Buffer {
  const target = { buffer: Buffer.alloc(1476), offset: 0 };
  ReadPropertyMultiple.encodeAcknowledge(target, results as never);
  return target.buffer.subarray(0, target.offset);
}

/** The library's decode with its bookkeeping (`len`) removed, to compare values with ours. */
function libraryDecode(bytes: Buffer) {
  const decoded = ReadPropertyMultiple.decodeAcknowledge(bytes, 0, bytes.length) as
    | { values: { objectId: unknown; values: { id: number; index: number; value: AckValue[] }[] }[] }
    | undefined;
  return decoded?.values.map((r) => ({
    objectId: r.objectId,
    values: r.values.map((v) => ({
      id: v.id,
      index: v.index,
      value: v.value.map(({ type, value }) => ({ type, value })),
    })),
  }));
}

const one = (type: number, instance: number, id: number, value: AckValue, index = 0xffffffff): AckResult => ({
  objectId: { type, instance },
  values: [{ property: { id, index }, value: [value] }],
});

/** An error result, as the library's encoder takes it (its decoder answers with ApplicationTag.ERROR). */
const error = (errorClass: number, errorCode: number): AckValue => ({
  type: ApplicationTag.ERROR,
  value: { type: "BacnetError", errorClass, errorCode },
});

describe("the ReadPropertyMultiple request frame", () => {
  const cases: { name: string; reads: RpmRead[]; invokeId: number }[] = [
    {
      name: "presentValue of analog, binary and multi-state objects",
      reads: [
        { objectType: 0, instance: 1, property: 85 },
        { objectType: 3, instance: 10, property: 85 },
        { objectType: 19, instance: 4, property: 85 },
      ],
      invokeId: 1,
    },
    {
      name: "statusFlags, a property id over 255 and the largest instance",
      reads: [
        { objectType: 2, instance: 4_194_303, property: 111 },
        { objectType: 8, instance: 4_194_000, property: 4_194_303 },
        { objectType: 1, instance: 70_000, property: 512 },
      ],
      invokeId: 200,
    },
    {
      name: "array indexes of one to four bytes",
      reads: [
        { objectType: 1, instance: 5, property: 87, index: 16 },
        { objectType: 1, instance: 5, property: 87, index: 300 },
        { objectType: 4, instance: 2, property: 87, index: 70_000 },
        { objectType: 4, instance: 2, property: 87, index: 20_000_000 },
      ],
      invokeId: 255,
    },
    {
      name: "fifty points, a full chunk",
      reads: Array.from({ length: 50 }, (_, i) => ({ objectType: i % 5, instance: i + 1, property: 85 })),
      invokeId: 42,
    },
  ];
  for (const c of cases) {
    it(`is the library's frame byte for byte: ${c.name}`, async () => {
      expect(encodeRpmRequest(c.reads, c.invokeId).toString("hex")).toBe(
        (await libraryFrame(c.reads, c.invokeId)).toString("hex"),
      );
    });
  }

  it("re-addresses a remembered frame to another invoke id without changing the template", async () => {
    const reads: RpmRead[] = [
      { objectType: 0, instance: 1, property: 85 },
      { objectType: 4, instance: 70_000, property: 87, index: 3 },
    ];
    const template = encodeRpmRequest(reads, 0);
    const before = template.toString("hex");
    for (const invokeId of [1, 77, 255]) {
      const frame = rpmRequestWithInvokeId(template, invokeId);
      expect(frame.toString("hex")).toBe((await libraryFrame(reads, invokeId)).toString("hex"));
      expect(frame).not.toBe(template);
    }
    expect(template.toString("hex")).toBe(before);
  });

  it("encodes array index 0 (the array's length), which the library drops", () => {
    const frame = encodeRpmRequest([{ objectType: 1, instance: 5, property: 87, index: 0 }], 3);
    // ... context 0 property 87, then context 1 (one byte) index 0, then closing 1.
    expect(frame.subarray(-5).toString("hex")).toBe("0957" + "1900" + "1f");
    expect(frame.readUInt16BE(2)).toBe(frame.length);
  });
});

describe("the ReadPropertyMultiple-ACK decoder", () => {
  const answers: { name: string; results: AckResult[] }[] = [
    {
      name: "REAL, BinaryPV and multi-state presentValues",
      results: [
        one(0, 1, 85, { type: ApplicationTag.REAL, value: 21.5 }),
        one(3, 10, 85, { type: ApplicationTag.ENUMERATED, value: 1 }),
        one(19, 4, 85, { type: ApplicationTag.UNSIGNED_INTEGER, value: 3 }),
      ],
    },
    {
      name: "every primitive it reads, at every length",
      results: [
        one(2, 1, 85, { type: ApplicationTag.REAL, value: -0.125 }),
        one(2, 2, 85, { type: ApplicationTag.DOUBLE, value: 1e300 }),
        one(2, 3, 85, { type: ApplicationTag.NULL, value: null }),
        one(5, 4, 85, { type: ApplicationTag.BOOLEAN, value: true }),
        one(5, 5, 85, { type: ApplicationTag.BOOLEAN, value: false }),
        one(8, 6, 76, { type: ApplicationTag.UNSIGNED_INTEGER, value: 4_000_000_000 }),
        one(8, 7, 76, { type: ApplicationTag.UNSIGNED_INTEGER, value: 70_000 }),
        one(8, 8, 76, { type: ApplicationTag.UNSIGNED_INTEGER, value: 0 }),
        one(2, 9, 85, { type: ApplicationTag.SIGNED_INTEGER, value: -2_000_000_000 }),
        one(2, 10, 85, { type: ApplicationTag.SIGNED_INTEGER, value: -200 }),
        one(2, 11, 85, { type: ApplicationTag.SIGNED_INTEGER, value: 127 }),
        one(2, 12, 85, { type: ApplicationTag.ENUMERATED, value: 65_535 }),
      ],
    },
    {
      name: "an error for one object among values, a property id over 255, an array index",
      results: [
        one(0, 1, 85, { type: ApplicationTag.REAL, value: 1 }),
        one(0, 99, 85, error(1, 31)),
        one(1, 7, 87, { type: ApplicationTag.REAL, value: 5 }, 8),
        one(1, 7, 87, { type: ApplicationTag.UNSIGNED_INTEGER, value: 16 }, 0),
        one(8, 4_194_303, 4000, error(2, 32)),
      ],
    },
  ];
  for (const a of answers) {
    it(`reads what the library reads: ${a.name}`, () => {
      const bytes = libraryAck(a.results);
      const ours = decodeRpmAck(bytes, 0, bytes.length);
      expect(ours).toBeDefined();
      expect(ours).toEqual(libraryDecode(bytes));
    });
  }

  it("walks an answer without building it: the same results, in order, through one reused value", () => {
    const bytes = libraryAck(answers.flatMap((a) => a.results));
    const walked: unknown[] = [];
    const seen = new Set<unknown>();
    const count = visitRpmAck(bytes, 0, bytes.length, (n, type, instance, id, index, value) => {
      seen.add(value);
      walked[n] = { objectId: { type, instance }, values: [{ id, index, value: [{ ...value }] }] };
    });
    expect(count).toBe(walked.length);
    expect(seen.size).toBe(1);
    expect(walked).toEqual(libraryDecode(bytes));
    // What it does not read whole, it declines: the caller decodes those bytes with the library.
    expect(
      visitRpmAck(bytes.subarray(0, bytes.length - 1), 0, bytes.length - 1, () => undefined),
    ).toBeUndefined();
  });

  it("reads from an offset inside a larger datagram and stops at the given length", () => {
    const body = libraryAck([one(0, 1, 85, { type: ApplicationTag.REAL, value: 2.5 })]);
    const datagram = Buffer.concat([
      Buffer.from("810a0011010430010e", "hex"),
      body,
      Buffer.from([0xff, 0xff]),
    ]);
    expect(decodeRpmAck(datagram, 9, body.length)).toEqual(libraryDecode(body));
  });

  const declined: { name: string; results: AckResult[] }[] = [
    {
      name: "a character string",
      results: [one(0, 1, 77, { type: ApplicationTag.CHARACTER_STRING, value: "Zone temp" })],
    },
    {
      name: "a bit string (statusFlags)",
      results: [one(0, 1, 111, { type: ApplicationTag.BIT_STRING, value: { bitsUsed: 4, value: [0] } })],
    },
    {
      name: "two values (a whole array)",
      results: [
        {
          objectId: { type: 4, instance: 1 },
          values: [
            {
              property: { id: 87, index: 0xffffffff },
              value: [
                { type: ApplicationTag.NULL, value: null },
                { type: ApplicationTag.REAL, value: 3 },
              ],
            },
          ],
        },
      ],
    },
    {
      name: "two properties of one object",
      results: [
        {
          objectId: { type: 0, instance: 1 },
          values: [
            { property: { id: 85, index: 0xffffffff }, value: [{ type: ApplicationTag.REAL, value: 1 }] },
            {
              property: { id: 103, index: 0xffffffff },
              value: [{ type: ApplicationTag.ENUMERATED, value: 0 }],
            },
          ],
        },
      ],
    },
  ];
  for (const d of declined) {
    it(`leaves ${d.name} to the library, which decodes it`, () => {
      const bytes = libraryAck(d.results);
      expect(decodeRpmAck(bytes, 0, bytes.length)).toBeUndefined();
      expect(libraryDecode(bytes)).toBeDefined();
    });
  }

  it("never throws on truncated, garbled or random answers, and declines what it cannot read whole", () => {
    const valid = libraryAck([
      one(0, 1, 85, { type: ApplicationTag.REAL, value: 21.5 }),
      one(0, 99, 85, error(1, 31)),
      one(1, 7, 87, { type: ApplicationTag.UNSIGNED_INTEGER, value: 16 }, 3),
    ]);
    // Every truncation: nothing, or (cut between two results) the whole results before the cut, which
    // the reader then reports as missing for the rest. Never half a result.
    let prefixes = 0;
    for (let cut = 0; cut < valid.length; cut++) {
      const ours = decodeRpmAck(valid, 0, cut);
      if (ours === undefined) continue;
      prefixes++;
      expect(ours.length).toBeLessThan(3);
      expect(ours).toEqual(libraryDecode(valid.subarray(0, cut)));
    }
    expect(prefixes).toBe(2);
    expect(decodeRpmAck(valid, 0, valid.length + 100)).toHaveLength(3);
    expect(decodeRpmAck(valid, valid.length + 5, 10)).toBeUndefined();
    let x = 20261201;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x1_0000_0000;
    };
    let decoded = 0;
    for (let round = 0; round < 20_000; round++) {
      const bytes = Buffer.from(valid);
      // One to four bytes changed (tags, lengths, values), or random bytes of a random length.
      if (round % 4 === 0) {
        const random = Buffer.alloc(Math.floor(next() * 40));
        for (let i = 0; i < random.length; i++) random[i] = Math.floor(next() * 256);
        expect(() => decodeRpmAck(random, 0, random.length)).not.toThrow();
        continue;
      }
      for (let k = 0; k < 1 + (round % 4); k++)
        bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const ours = decodeRpmAck(bytes, 0, bytes.length);
      if (ours === undefined) continue;
      decoded++;
      // What it does accept, it reads as the library does.
      expect(ours).toEqual(libraryDecode(bytes));
    }
    // The mutations that only change a value's bytes are still read.
    expect(decoded).toBeGreaterThan(1000);
  });
});
