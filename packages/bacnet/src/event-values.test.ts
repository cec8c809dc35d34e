import { EventNotifyData } from "@bacnet-js/client/dist/lib/services/index.js";
import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import { describe, expect, it } from "vitest";
import { bitString, statusFlagsBits } from "./bit-strings";
import { describeEventValues } from "./event-text";
import { decodeEventValues, type EventValues } from "./event-values";
import {
  type EventNotificationHeader,
  encodeEventNotificationRequest,
  encodeEventValues,
} from "./event-values-encode";

const flags = { inAlarm: true, fault: false, overridden: true, outOfService: false };
const header: EventNotificationHeader = {
  processId: 0x424d53,
  deviceInstance: 1201,
  object: { type: 0, instance: 3 },
  timeStamp: new Date(2026, 11, 2, 3, 4, 5, 60),
  notificationClass: 1,
  priority: 80,
  eventType: 5,
  messageText: "Zone temp",
  notifyType: 0,
  ackRequired: true,
  fromState: 0,
  toState: 3,
};

/** An unconfirmed EventNotification APDU (service 3) around a service request. */
function unconfirmed(values: EventValues | undefined, h: Partial<EventNotificationHeader> = {}): Buffer {
  const buf: EncodeBuffer = { buffer: Buffer.alloc(1476), offset: 0 };
  buf.buffer[buf.offset++] = 0x10;
  buf.buffer[buf.offset++] = 3;
  encodeEventNotificationRequest(buf, { ...header, ...h }, values);
  return Buffer.from(buf.buffer.subarray(0, buf.offset));
}

/** The same notification as @bacnet-js/client encodes it (the types it can encode). */
function libraryFrame(eventType: number, params: Record<string, unknown>): Buffer {
  const buf: EncodeBuffer = { buffer: Buffer.alloc(1476), offset: 0 };
  buf.buffer[buf.offset++] = 0x10;
  buf.buffer[buf.offset++] = 3;
  EventNotifyData.encode(buf, {
    processId: header.processId,
    initiatingObjectId: { type: 8, instance: header.deviceInstance },
    eventObjectId: header.object,
    timeStamp: { type: 2, value: header.timeStamp },
    notificationClass: 1,
    priority: 80,
    eventType,
    messageText: "Zone temp",
    notifyType: 0,
    ackRequired: true,
    fromState: 0,
    toState: 3,
    ...params,
  } as never);
  return Buffer.from(buf.buffer.subarray(0, buf.offset));
}

const f32 = (v: number) => Math.fround(v);

// Each type the simulator and common devices send, the library's encoding where it has one.
const CASES: {
  values: EventValues;
  library?: [number, Record<string, unknown>];
  text: string;
  toState?: number;
}[] = [
  {
    values: {
      type: "out-of-range",
      exceedingValue: f32(31.2),
      statusFlags: flags,
      deadband: 1,
      exceededLimit: 28,
    },
    library: [
      5,
      {
        outOfRangeExceedingValue: 31.2,
        outOfRangeStatusFlags: statusFlagsBits(flags),
        outOfRangeDeadband: 1,
        outOfRangeExceededLimit: 28,
      },
    ],
    text: "out of range: 31.2 °C above high limit 28, deadband 1",
  },
  {
    values: {
      type: "out-of-range",
      exceedingValue: f32(7.5),
      statusFlags: flags,
      deadband: 0.5,
      exceededLimit: 10,
    },
    text: "out of range: 7.5 °C below low limit 10, deadband 0.5",
    toState: 4,
  },
  {
    values: {
      type: "floating-limit",
      referenceValue: f32(26.4),
      statusFlags: flags,
      setpointValue: 21,
      errorLimit: 5,
    },
    library: [
      4,
      {
        floatingLimitReferenceValue: 26.4,
        floatingLimitStatusFlags: statusFlagsBits(flags),
        floatingLimitSetPointValue: 21,
        floatingLimitErrorLimit: 5,
      },
    ],
    text: "floating limit: 26.4 °C, setpoint 21, error limit 5",
  },
  {
    values: { type: "change-of-value", newValue: { changedValue: f32(12.25) }, statusFlags: flags },
    library: [
      2,
      {
        changeOfValueTag: 0,
        changeOfValueChangeValue: 12.25,
        changeOfValueStatusFlags: statusFlagsBits(flags),
      },
    ],
    text: "change of value: 12.25 °C",
  },
  {
    values: {
      type: "change-of-value",
      newValue: { changedBits: [true, false, true, false, false] },
      statusFlags: flags,
    },
    library: [
      2,
      {
        changeOfValueTag: 1,
        changeOfValueChangedBits: bitString(5, [0, 2]),
        changeOfValueStatusFlags: statusFlagsBits(flags),
      },
    ],
    text: "change of value: bits 10100",
  },
  {
    values: { type: "change-of-state", newState: { choice: 1, value: 1 }, statusFlags: flags },
    library: [
      1,
      { changeOfStateNewState: { type: 1, state: 1 }, changeOfStateStatusFlags: statusFlagsBits(flags) },
    ],
    text: "change of state: binary value active",
  },
  {
    values: { type: "change-of-state", newState: { choice: 0, value: true }, statusFlags: flags },
    text: "change of state: boolean true",
  },
  {
    values: {
      type: "change-of-bitstring",
      referencedBitstring: [false, true, true, false, false, false, false, false, true],
      statusFlags: flags,
    },
    library: [
      0,
      {
        changeOfBitstringReferencedBitString: bitString(9, [1, 2, 8]),
        changeOfBitstringStatusFlags: statusFlagsBits(flags),
      },
    ],
    text: "change of bitstring: 011000001",
  },
  {
    values: {
      type: "command-failure",
      commandValue: { tag: 9, value: 1 },
      statusFlags: flags,
      feedbackValue: { tag: 9, value: 0 },
    },
    text: "command failure: commanded 1, feedback 0",
  },
  {
    values: {
      type: "command-failure",
      commandValue: { tag: 4, value: f32(55.5) },
      statusFlags: flags,
      feedbackValue: { tag: 4, value: f32(12) },
    },
    text: "command failure: commanded 55.5, feedback 12",
  },
  {
    values: {
      type: "buffer-ready",
      bufferProperty: { object: { type: 20, instance: 1 }, propertyId: 131, deviceInstance: 1201 },
      previousNotification: 100,
      currentNotification: 200,
    },
    text: "buffer ready: trendLog:1, records 100 to 200",
  },
  {
    values: {
      type: "change-of-life-safety",
      newState: 2,
      newMode: 1,
      statusFlags: flags,
      operationExpected: 4,
    },
    library: [
      8,
      {
        changeOfLifeSafetyNewState: 2,
        changeOfLifeSafetyNewMode: 1,
        changeOfLifeSafetyStatusFlags: statusFlagsBits(flags),
        changeOfLifeSafetyOperationExpected: 4,
      },
    ],
    text: "life safety: alarm, mode on, operation expected reset",
  },
  {
    values: { type: "unsigned-range", exceedingValue: 120, statusFlags: flags, exceededLimit: 100 },
    library: [
      11,
      {
        unsignedRangeExceedingValue: 120,
        unsignedRangeStatusFlags: statusFlagsBits(flags),
        unsignedRangeExceededLimit: 100,
      },
    ],
    text: "unsigned range: 120 above high limit 100",
  },
  {
    values: { type: "extended", vendorId: 260, extendedEventType: 7, parameters: "2105c40000000a" },
    text: "extended event: vendor 260, type 7, 7 octets of parameters",
  },
];

describe("event values (BACnetNotificationParameters)", () => {
  it.each(CASES)(
    "decodes $values.type as encoded, and describes it",
    ({ values, library, text, toState }) => {
      const frame = unconfirmed(values, { eventType: 0, toState: toState ?? 3 });
      expect(decodeEventValues(frame)).toEqual({ values });
      expect(
        describeEventValues(
          values,
          toState ?? 3,
          values.type === "change-of-value" && "changedBits" in (values.newValue ?? {}) ? "" : "°C",
        ),
      ).toBe(text);
      if (library) {
        // Our encoder, written from the standard, matches the library's octets where it can encode.
        const theirs = libraryFrame(library[0], library[1]);
        expect(unconfirmed(values, { eventType: library[0] }).toString("hex")).toBe(theirs.toString("hex"));
        expect(decodeEventValues(theirs).values).toEqual(values);
      }
    },
  );

  it("decodes a confirmed notification (service 2) by hand-built octets, per clause 21", () => {
    // 0x00 confirmed, 0x05 max APDU, invoke 7, service 2; [0] pid 1, [1] device 5, [2] AI 1,
    // [3] time stamp (sequence number 1), [4] class 1, [5] prio 5, [6] type 5, [8] alarm,
    // [9] ack false, [10] from 0, [11] to 3, [12] [5] 31.5, flags 1000, 1.0, 30.0.
    const hex =
      "00050702" +
      "0901" +
      "1c02000005" +
      "2c00000001" +
      "3e19013f" +
      "4901" +
      "5905" +
      "6905" +
      "8900" +
      "9900" +
      "a900" +
      "b903" +
      "ce" +
      "5e" +
      "0c41fc0000" +
      "1a0480" +
      "2c3f800000" +
      "3c41f00000" +
      "5f" +
      "cf";
    const decoded = decodeEventValues(Buffer.from(hex, "hex"));
    expect(decoded).toEqual({
      values: {
        type: "out-of-range",
        exceedingValue: 31.5,
        statusFlags: { inAlarm: true, fault: false, overridden: false, outOfService: false },
        deadband: 1,
        exceededLimit: 30,
      },
    });
  });

  it("has nothing to decode in an ack-notification, and says what is not a notification", () => {
    expect(decodeEventValues(unconfirmed(undefined, { notifyType: 2 }))).toEqual({});
    expect(decodeEventValues(Buffer.from("1008", "hex")).problem).toBe("not-event-notification");
    expect(decodeEventValues(Buffer.from("0805070200", "hex")).problem).toBe("segmented");
    expect(decodeEventValues(Buffer.alloc(0)).problem).toBe("not-event-notification");
  });

  it("keeps what decoded before a malformed field, and names the field", () => {
    const good = unconfirmed(CASES[0]!.values);
    // Status flags [1] turned into [7]: the exceeding value survives.
    const at = good.indexOf(Buffer.from("1a04a0", "hex"));
    expect(at).toBeGreaterThan(0);
    const bad = Buffer.from(good);
    bad[at] = 0x7a;
    expect(decodeEventValues(bad)).toEqual({
      values: { type: "out-of-range", exceedingValue: f32(31.2) },
      problem: "bad-field",
      field: "statusFlags",
    });
    const missing = unconfirmed({ type: "command-failure", commandValue: { tag: 9, value: 1 } });
    expect(decodeEventValues(missing)).toMatchObject({
      values: { type: "command-failure", commandValue: { tag: 9, value: 1 } },
      problem: "bad-field",
      field: "statusFlags",
    });
    expect(describeEventValues(decodeEventValues(missing).values!, 3)).toBe("command failure: commanded 1");
    expect(decodeEventValues(Buffer.concat([good, Buffer.from([0x00])])).problem).toBe("trailing-octets");
  });

  it("reports a choice it does not decode with its octets", () => {
    const frame = unconfirmed({ type: "other", choice: 14, raw: "0c3ff0000000000000" }, { eventType: 14 });
    expect(decodeEventValues(frame)).toEqual({
      values: { type: "other", choice: 14, raw: "0c3ff0000000000000" },
    });
  });

  it("never throws, over every truncation and 20,000 mutated frames", () => {
    const frames = CASES.map((c) => unconfirmed(c.values));
    for (const frame of frames) {
      for (let n = 0; n < frame.length; n++) {
        // Every cut is a problem: even one that ends before [12] is an alarm without its values.
        const decoded = decodeEventValues(frame.subarray(0, n));
        expect(decoded.problem ?? "complete").not.toBe("complete");
      }
    }
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let problems = 0;
    for (let i = 0; i < 20_000; i++) {
      const frame = Buffer.from(frames[i % frames.length]!);
      const flips = 1 + Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) frame[Math.floor(random() * frame.length)] = Math.floor(random() * 256);
      const decoded = decodeEventValues(frame);
      if (decoded.problem) problems++;
      if (decoded.values) expect(typeof describeEventValues(decoded.values, 3)).toBe("string");
    }
    expect(problems).toBeGreaterThan(1000);
  });

  it("round-trips an encoded [12] alone (for the simulator's REST route)", () => {
    const octets = encodeEventValues(CASES[0]!.values);
    expect(octets[0]).toBe(0xce);
    expect(octets[octets.length - 1]).toBe(0xcf);
  });
});
