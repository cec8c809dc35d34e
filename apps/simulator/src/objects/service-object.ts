import type { EncodeBuffer } from "@bacnet-js/client/dist/lib/types.js";
import type { ReadResult, WriteResult } from "./property-access";

/**
 * An object that is not a point and not a schedule: Trend Log, Notification Class. Each answers its
 * own properties, so the read/write services treat them alike without knowing their types.
 */
export interface ServiceObject {
  readonly type: number;
  readonly instance: number;
  name: string;
  propertySets(): { required: number[]; optional: number[] };
  /** A simple (application-tagged) property value. */
  read(id: number, index: number): ReadResult;
  /** The encoder of a constructed property value (ReadProperty only), or undefined for simple ones. */
  structured(id: number): ((buf: EncodeBuffer) => void) | undefined;
  /** WriteProperty of a simple property; constructed writes are the owner's business. */
  write(id: number, values: ReadonlyArray<{ type: number; value: unknown }>): WriteResult;
}
