import { ErrorClass, ErrorCode } from "@bms/bacnet";

function enumName(table: Record<string, string | number>, id: number): string {
  const name = table[id];
  return typeof name === "string" ? name.toLowerCase().replace(/_/g, "-") : String(id);
}

/**
 * Turns the library's error strings ("BacnetError - Class:2 - Code:31", "BacnetAbort - Reason:4",
 * "ERR_TIMEOUT") into what an integrator reads in the UI: "unknown-object (object)", "timeout".
 */
export function describeBacnetError(error: unknown): {
  message: string;
  kind: "timeout" | "error" | "abort" | "reject";
} {
  const text = error instanceof Error ? error.message : String(error);
  const bacnet = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(text);
  if (bacnet) {
    const cls = enumName(ErrorClass as unknown as Record<string, string | number>, Number(bacnet[1]));
    const code = enumName(ErrorCode as unknown as Record<string, string | number>, Number(bacnet[2]));
    return { kind: "error", message: `${code} (${cls})` };
  }
  const abort = /BacnetAbort - Reason:(\d+)/.exec(text);
  if (abort) return { kind: "abort", message: `abort reason ${abort[1]}` };
  const reject = /BacnetReject - Reason:(\d+)/.exec(text);
  if (reject) return { kind: "reject", message: `reject reason ${reject[1]}` };
  if (/timeout/i.test(text)) return { kind: "timeout", message: "timeout: no answer from the device" };
  return { kind: "error", message: text };
}

/** Errors that say the device is alive but the request is wrong: retrying will not help. */
export function isDefinitive(error: unknown): boolean {
  // The library reports Reject PDUs as aborts too; either way the device answered.
  const kind = describeBacnetError(error).kind;
  return kind === "error" || kind === "reject" || kind === "abort";
}
