import { ErrorClass, ErrorCode } from "@bms/bacnet";
import type { PointErrorCode } from "../point-io";

function enumName(table: Record<string, string | number>, id: number): string {
  const name = table[id];
  return typeof name === "string" ? name.toLowerCase().replace(/_/g, "-") : String(id);
}

/** No answer within the request's guard timeout: code `timeout`. */
export class BacnetTimeoutError extends Error {
  override name = "BacnetTimeoutError";
}

/** A device we know is down (or never found), so the request was not sent: code `unreachable`. */
export class DeviceUnreachableError extends Error {
  override name = "DeviceUnreachableError";
}

export interface BacnetErrorDescription {
  message: string;
  kind: "timeout" | "error" | "abort" | "reject";
  /** For an Error PDU: its class and code as BACnet names them (`object`, `unknown-object`). */
  errorClass?: string;
  errorCode?: string;
}

/**
 * Turns the library's error strings ("BacnetError - Class:2 - Code:31", "BacnetAbort - Reason:4",
 * "ERR_TIMEOUT") into what an integrator reads in the UI: "unknown-object (object)", "timeout". The
 * library gives only text, so this is the one place that reads it; everything else uses the fields.
 */
export function describeBacnetError(error: unknown): BacnetErrorDescription {
  const text = error instanceof Error ? error.message : String(error);
  const bacnet = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(text);
  if (bacnet) {
    const cls = enumName(ErrorClass as unknown as Record<string, string | number>, Number(bacnet[1]));
    const code = enumName(ErrorCode as unknown as Record<string, string | number>, Number(bacnet[2]));
    return { kind: "error", message: `${code} (${cls})`, errorClass: cls, errorCode: code };
  }
  const abort = /BacnetAbort - Reason:(\d+)/.exec(text);
  if (abort) return { kind: "abort", message: `abort reason ${abort[1]}` };
  const reject = /BacnetReject - Reason:(\d+)/.exec(text);
  if (reject) return { kind: "reject", message: `reject reason ${reject[1]}` };
  if (error instanceof BacnetTimeoutError || /timeout/i.test(text))
    return { kind: "timeout", message: "timeout: no answer from the device" };
  return { kind: "error", message: text };
}

/** Errors that say the device is alive but the request is wrong: retrying will not help. */
export function isDefinitive(error: unknown): boolean {
  // The library reports Reject PDUs as aborts too; either way the device answered.
  const kind = describeBacnetError(error).kind;
  return kind === "error" || kind === "reject" || kind === "abort";
}

/** Error codes by which a device refuses a write's value or access rather than failing. */
const WRITE_REFUSALS = new Set([
  "write-access-denied",
  "value-out-of-range",
  "invalid-data-type",
  "datatype-not-supported",
  "invalid-array-index",
]);

/** The seam's code for a failed request, so callers branch on it and never on the text. */
export function bacnetErrorCode(error: unknown, operation: "read" | "write"): PointErrorCode {
  if (error instanceof DeviceUnreachableError) return "unreachable";
  const described = describeBacnetError(error);
  if (described.kind === "timeout") return "timeout";
  if (operation === "write" && described.errorCode && WRITE_REFUSALS.has(described.errorCode))
    return "write_denied";
  return "device_error";
}

/** The text people read beside a failed point. */
export function describeError(error: unknown): string {
  if (error instanceof DeviceUnreachableError) return error.message;
  return describeBacnetError(error).message;
}
