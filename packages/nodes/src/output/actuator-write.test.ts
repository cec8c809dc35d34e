import { describe, expect, it } from "vitest";
import { type InputSpec, nodeRunner, v } from "../testing/node-runner";
import { actuatorWrite } from "./actuator-write";

const POINT = "bacnet:1001/binaryOutput:1.presentValue";

describe("actuator_write", () => {
  const cases: [string, Record<string, unknown>, InputSpec, unknown[], unknown][] = [
    [
      "writes at the default priority 16",
      {},
      true,
      [{ point: POINT, value: true, priority: 16, heartbeatMs: 0 }],
      true,
    ],
    [
      "priority and heartbeat",
      { priority: 8, heartbeat_ms: 60_000 },
      1,
      [{ point: POINT, value: 1, priority: 8, heartbeatMs: 60_000 }],
      1,
    ],
    [
      "MQTT publish options when set (the point's protocol decides whether they apply)",
      { qos: 1, retain: true },
      5,
      [{ point: POINT, value: 5, priority: 16, heartbeatMs: 0, qos: 1, retain: true }],
      5,
    ],
    ["bad input holds (no write)", {}, v(true, "bad"), [], null],
    ["null input holds", {}, null, [], null],
    [
      "relinquish on bad input",
      { on_bad_input: "relinquish", priority: 8 },
      null,
      [{ point: POINT, value: null, priority: 8, heartbeatMs: 0 }],
      null,
    ],
    [
      "fallback on bad input",
      { on_bad_input: "fallback", fallback: false },
      v(1, "bad"),
      [{ point: POINT, value: false, priority: 16, heartbeatMs: 0 }],
      false,
    ],
  ];
  it.each(cases)("%s", (_name, config, value, writes, commanded) => {
    const r = nodeRunner(actuatorWrite, { point: "bacnet:1001/binaryOutput:1", ...config });
    const out = r.run({ value });
    expect(r.writes.map(({ nodeId: _n, ...w }) => w)).toEqual(writes);
    expect(out.commanded?.value).toEqual(commanded);
  });

  it("refuses priorities outside 1..16", () => {
    for (const priority of [0, 17, 8.5]) {
      expect(actuatorWrite.config.safeParse({ point: "bacnet:1001/binaryOutput:1", priority }).success).toBe(
        false,
      );
    }
  });
});
