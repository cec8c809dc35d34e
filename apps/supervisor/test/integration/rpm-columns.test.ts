import bacnetModule, { type BACNetObjectID, type BACNetReadAccessSpecification } from "@bacnet-js/client";
import { type BacnetPointRef, parsePointRef } from "@bms/schemas";
import { type SimulatorHandle, startSimulator } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BacnetService } from "../../src/protocols/bacnet/bacnet-service";

/**
 * The RPM walk decodes each place of a device's list from the chunk plan's columns (what the answer must
 * name, the last tag and raw value, the value they gave): a value the device sends again is the cached
 * answer, a changed one is checked afresh. These reads go to a real simulator over loopback, scan after
 * scan with the same list (so the columns are reused), around writes that change the values, and every
 * answer is compared with the library's own client reading the same properties.
 */
const NET = "127.0.102";
const SIM_PORT = 47940;
const SERVICE_PORT = 47941;
const RAW_PORT = 47942;
const DEVICE = 10001;

function refOf(text: string): BacnetPointRef {
  const parsed = parsePointRef(text);
  if (!parsed.ok || parsed.ref.protocol !== "bacnet") throw new Error(`not a BACnet ref: ${text}`);
  return parsed.ref;
}

/**
 * One list, read every "scan", that the walk decodes (one value a place, an error value among them),
 * and one the walk declines (a whole priority array in the answer): it goes the library's way.
 */
const WALKED = [
  `bacnet:${DEVICE}/analogValue:1.presentValue`,
  `bacnet:${DEVICE}/analogValue:1.priorityArray[8]`,
  `bacnet:${DEVICE}/analogValue:1.relinquishDefault`,
  `bacnet:${DEVICE}/binaryOutput:1.presentValue`,
  `bacnet:${DEVICE}/binaryOutput:1.priorityArray[8]`,
  // Same values as binaryOutput:1 at times, in the same reply (one reading may serve them all).
  `bacnet:${DEVICE}/binaryOutput:2.presentValue`,
  `bacnet:${DEVICE}/binaryOutput:3.presentValue`,
  `bacnet:${DEVICE}/analogValue:1.priorityArray[9]`,
  `bacnet:${DEVICE}/analogInput:999.presentValue`,
  `bacnet:${DEVICE}/analogValue:2.presentValue`,
];
const WHOLE_ARRAY = [...WALKED, `bacnet:${DEVICE}/analogValue:1.priorityArray`];
const LISTS = [WALKED, WHOLE_ARRAY].map((texts) => ({ texts, refs: Object.freeze(texts.map(refOf)) }));

const TYPES: Record<string, number> = { analogInput: 0, analogValue: 2, binaryOutput: 4 };
const PROPS: Record<string, number> = { presentValue: 85, priorityArray: 87, relinquishDefault: 104 };

describe("RPM reads decoded from the chunk plan's columns", () => {
  let sim: SimulatorHandle;
  let service: BacnetService;
  let raw: bacnetModule;

  /** What the library's client reads for the same list (null for a point it answers with an error). */
  async function oracle(refs: readonly BacnetPointRef[]): Promise<unknown[]> {
    const specs = refs.map((ref) => ({
      objectId: { type: TYPES[ref.objectType]!, instance: ref.instance } as BACNetObjectID,
      properties: [
        { id: PROPS[ref.property]!, index: ref.index ?? 0xffffffff },
      ] as BACNetReadAccessSpecification["properties"],
    }));
    const answer = await raw.readPropertyMultiple({ address: `${NET}.1:${SIM_PORT}` }, specs);
    return answer.values.map((object, n) => {
      const values = object.values[0]!.value as { type: number; value: unknown }[];
      const ref = refs[n]!;
      const one = (v: { type: number; value: unknown }) =>
        v.type === 0 ? null : ref.objectType === "binaryOutput" ? v.value === 1 : v.value;
      if (values.some((v) => typeof v.value === "object" && v.value !== null)) return null;
      return ref.property === "priorityArray" && ref.index === undefined ? values.map(one) : one(values[0]!);
    });
  }

  /** Ours, read twice with the same list: the second time from the cached columns where nothing moved. */
  async function readTwiceAgainstOracle(label: string) {
    for (const { texts, refs } of LISTS) {
      const expected = await oracle(refs);
      for (const round of [1, 2]) {
        const before = Date.now();
        const results = await service.readPoints(refs);
        const values = results.map((r) => (r.quality === "bad" ? null : r.value));
        expect(values, `${label}, ${texts.length} points, read ${round}`).toEqual(expected);
        for (const [i, r] of results.entries()) {
          expect(r.timestamp, `${texts[i]} is stamped by this read`).toBeGreaterThanOrEqual(before);
          if (texts[i]!.includes(":999."))
            expect(r, texts[i]).toMatchObject({ quality: "bad", code: "device_error" });
          else expect(r, `${label}: ${texts[i]}`).toMatchObject({ quality: "good" });
        }
      }
    }
  }

  beforeAll(async () => {
    sim = await startSimulator({ bind: `${NET}.1`, port: SIM_PORT, devices: 1 });
    service = new BacnetService({
      bindAddress: `${NET}.250`,
      port: SERVICE_PORT,
      broadcast: `127.255.255.255:${SIM_PORT}`,
      requestTimeoutMs: 2000,
      retries: 1,
      perDeviceConcurrency: 2,
      maxInFlight: 50,
      offlineAfterFailures: 3,
    });
    await service.start();
    await service.discover({ timeoutMs: 1500 });
    const BACnetClient =
      (bacnetModule as unknown as { default?: typeof bacnetModule }).default ?? bacnetModule;
    raw = new BACnetClient({ port: RAW_PORT, interface: `${NET}.250`, apduTimeout: 2000 });
    await new Promise<void>((resolve) => raw.once("listening", () => resolve()));
  });

  afterAll(async () => {
    raw?.close();
    service?.stop();
    await sim?.stop();
  });

  // Each step changes what the device holds, then the same list is read twice: a changed value must
  // never be answered from the last one's columns, an unchanged one must still come back each read.
  it.each([
    { step: "as the device starts", write: undefined },
    {
      step: "a command at priority 8",
      write: [
        ["analogValue:1", 42.5],
        ["binaryOutput:1", true],
      ],
    },
    {
      step: "another command at priority 8",
      write: [
        ["analogValue:1", -3.25],
        ["binaryOutput:1", false],
      ],
    },
    {
      step: "the same command again",
      write: [
        ["analogValue:1", -3.25],
        ["binaryOutput:1", false],
      ],
    },
    {
      step: "priority 8 relinquished",
      write: [
        ["analogValue:1", null],
        ["binaryOutput:1", null],
      ],
    },
  ] as const)("reads as the library's client does: $step", async ({ step, write }) => {
    for (const [object, value] of write ?? [])
      await service.writePoint(refOf(`bacnet:${DEVICE}/${object}.presentValue`), value, 8);
    await readTwiceAgainstOracle(step);
  });

  it("stamps each read with its own time, a value that did not move included", async () => {
    const refs = LISTS[0]!.refs;
    const first = await service.readPoints(refs);
    await new Promise((r) => setTimeout(r, 20));
    const second = await service.readPoints(refs);
    // relinquishDefault: it does not move.
    expect(second[2]!.value).toBe(first[2]!.value);
    expect(second[2]!.timestamp).toBeGreaterThan(first[2]!.timestamp);
    // Separate objects: a reading a flow kept from the last scan is never changed by this one.
    expect(second[2]).not.toBe(first[2]);
  });
});
