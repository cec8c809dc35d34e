import { describe, expect, it } from "vitest";
import { BacnetPointIO } from "./bacnet-plugin";
import { BacnetService } from "./bacnet-service";
import { DiscoveryService } from "./discovery";
import { BacnetTimeoutError, bacnetErrorCode, DeviceUnreachableError } from "./errors";

/** A BACnet plugin that is never started: what it refuses, it refuses before any socket is needed. */
function unstarted() {
  const service = new BacnetService({
    bindAddress: "127.0.40.3",
    port: 0,
    broadcast: "127.255.255.255:47899",
    requestTimeoutMs: 100,
    retries: 0,
    perDeviceConcurrency: 1,
    maxInFlight: 1,
    offlineAfterFailures: 1,
  });
  return new BacnetPointIO(
    service,
    new DiscoveryService(service, () => undefined),
    { discoverOnStart: false },
    () => 42,
  );
}

describe("the bacnet PointIO plugin", () => {
  it("answers refs that are not BACnet, and bad priorities, with invalid_ref without sending", async () => {
    const io = unstarted();
    expect(await io.read(["mqtt:a/b", "bacnet:nope"])).toEqual([
      {
        value: null,
        quality: "bad",
        code: "invalid_ref",
        reason: "mqtt:a/b is not a BACnet point",
        timestamp: 42,
      },
      expect.objectContaining({ quality: "bad", code: "invalid_ref" }),
    ]);
    expect(
      await io.write([
        { ref: "bacnet:1/analogOutput:1", value: 1, priority: 17 },
        { ref: "modbus:h:1/coil:1", value: true },
      ]),
    ).toEqual([
      { ok: false, code: "invalid_ref", error: "priority 17 is not 1..16" },
      { ok: false, code: "invalid_ref", error: "modbus:h:1/coil:1 is not a BACnet point" },
    ]);
  });

  it("reports down before start and answers busy after shutdown", async () => {
    const io = unstarted();
    expect(io.health()).toMatchObject({ protocol: "bacnet", state: "down", connections: 0 });
    await io.shutdown();
    expect(await io.read(["bacnet:1/analogInput:1"])).toEqual([
      expect.objectContaining({ quality: "bad", code: "busy" }),
    ]);
    expect(await io.write([{ ref: "bacnet:1/analogOutput:1", value: 1 }])).toEqual([
      { ok: false, code: "busy", error: "the BACnet plugin is shut down" },
    ]);
  });
});

describe("BACnet failures as seam codes", () => {
  it.each([
    [new DeviceUnreachableError("device 5 is offline"), "read", "unreachable"],
    [new BacnetTimeoutError("read analogInput:1: timeout after 100 ms"), "read", "timeout"],
    [new Error("ERR_TIMEOUT"), "write", "timeout"],
    [new Error("BacnetError - Class:2 - Code:31"), "read", "device_error"],
    [new Error("BacnetError - Class:2 - Code:40"), "write", "write_denied"],
    [new Error("BacnetError - Class:2 - Code:37"), "write", "write_denied"],
    [new Error("BacnetAbort - Reason:4"), "read", "device_error"],
  ] as const)("%s on %s is %s", (error, operation, code) => {
    expect(bacnetErrorCode(error, operation)).toBe(code);
  });
});
