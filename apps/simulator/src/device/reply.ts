import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import type { BacnetErrorValue } from "@bms/bacnet";

/** What a confirmed service handler decided; the server turns it into exactly one PDU. */
export type Reply =
  | { kind: "complexAck"; body: (buf: EncodeBuffer) => void; after?: () => void }
  | { kind: "simpleAck"; after?: () => void }
  | { kind: "error"; error: BacnetErrorValue }
  | {
      kind: "wpmError";
      error: BacnetErrorValue;
      failed: { objectType: number; instance: number; property: number; index?: number };
      after?: () => void;
    }
  | { kind: "reject"; reason: number }
  | { kind: "abort"; reason: number };

/** Reject reasons (clause 20.1.8/18.9) used for requests we cannot parse. */
export const REJECT = {
  other: 0,
  invalidParameterDataType: 3,
  invalidTag: 4,
  missingRequiredParameter: 5,
  parameterOutOfRange: 6,
  tooManyArguments: 7,
  unrecognizedService: 9,
} as const;

export const ABORT = {
  other: 0,
  bufferOverflow: 1,
  segmentationNotSupported: 4,
} as const;

export const rejectMalformed = (length: number): Reply => ({
  kind: "reject",
  reason: length === 0 ? REJECT.missingRequiredParameter : REJECT.invalidTag,
});

/**
 * Runs one of the library's service decoders on untrusted bytes: a throw or an undefined result both
 * mean "malformed", and the caller answers with a Reject instead of crashing or going silent.
 */
export function safeDecode<T>(decode: () => T | undefined): T | undefined {
  try {
    return decode() ?? undefined;
  } catch {
    return undefined;
  }
}
