import { describe, expect, it } from "vitest";
import { MemoryPointIO } from "../../test/memory-plugin";
import { PointIORegistry } from "../protocols/registry";
import { runCheckout } from "./point-checkout";

/**
 * The checkout through the real registry with a protocol that has no priority array (the in-memory test
 * plugin): the write test reads the test value back from the point and writes the previous value back.
 * The BACnet path (priority array, relinquish) is covered against the simulator in
 * test/integration/commissioning.test.ts.
 */
async function site() {
  const registry = new PointIORegistry(() => 1_000);
  const mem = new MemoryPointIO("mem");
  registry.register({ name: "mem", protocol: "mem", version: "1" }, mem);
  mem.values.set("supply", 18).set("damper", 40);
  await registry.start();
  return { registry, mem };
}

describe("point checkout without a priority array", () => {
  it("writes the test value, reads it back, restores the previous value, and passes", async () => {
    const { registry, mem } = await site();
    const written: unknown[] = [];
    const lines = await runCheckout(
      {
        points: ["mem:supply", "mem:damper", "mem:missing/x"],
        commanded: new Set(["mem:damper"]),
        writeTest: {
          priority: 10,
          confirmed: new Set(["mem:damper"]),
          values: new Map([["mem:damper", 75]]),
          forced: new Map(),
        },
      },
      {
        io: registry,
        units: () => undefined,
        restoreFlow: () => undefined,
        onLine: (l) => written.push(l.point),
      },
    );
    expect(written).toEqual(["mem:supply", "mem:damper", "mem:missing/x"]);
    const [supply, damper, missing] = lines;
    expect(supply).toMatchObject({ value: 18, quality: "good", verdict: "pass", commanded: false });
    expect(damper?.verdict, damper?.detail).toBe("pass");
    expect(damper?.write_test).toMatchObject({
      test_value: 75,
      after_write: 75,
      release: "restore",
      after_release: 40,
      value_after: 40,
    });
    expect(mem.values.get("damper")).toBe(40);
    expect(missing).toMatchObject({ quality: "bad", verdict: "fail" });
    expect(missing?.detail).toMatch(/device_error/);
  });

  it("does not write an unconfirmed point, and says so", async () => {
    const { registry, mem } = await site();
    const lines = await runCheckout(
      {
        points: ["mem:damper"],
        commanded: new Set(["mem:damper"]),
        writeTest: { priority: 10, confirmed: new Set(), values: new Map(), forced: new Map() },
      },
      { io: registry, units: () => undefined, restoreFlow: () => undefined },
    );
    expect(lines[0]).toMatchObject({
      verdict: "pass",
      detail: "read; write test not confirmed for this point",
    });
    expect(lines[0]?.write_test).toBeUndefined();
    expect(mem.values.get("damper")).toBe(40);
  });
});
