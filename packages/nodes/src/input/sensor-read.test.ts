import { describe, expect, it } from "vitest";
import type { NodeValue } from "../core/types";
import { nodeRunner, T0 } from "../testing/node-runner";
import { sensorRead } from "./sensor-read";

const POINT = "bacnet:1001/analogInput:1.presentValue";

describe("sensor_read", () => {
  const cases: [string, Record<string, unknown>, NodeValue | undefined, unknown, string][] = [
    ["good value passes through", {}, { value: 21.5, quality: "good", timestamp: T0 }, 21.5, "good"],
    ["uncertain passes through", {}, { value: 21.5, quality: "uncertain", timestamp: T0 }, 21.5, "uncertain"],
    ["bad without fallback propagates", {}, { value: null, quality: "bad", timestamp: T0 }, null, "bad"],
    ["bad with fallback", { fallback: 21 }, { value: null, quality: "bad", timestamp: T0 }, 21, "uncertain"],
    ["never read, with fallback", { fallback: 21 }, undefined, 21, "uncertain"],
    ["never read, no fallback", {}, undefined, null, "bad"],
    [
      "older than max_age_ms",
      { max_age_ms: 60_000 },
      { value: 1, quality: "good", timestamp: T0 - 60_001 },
      1,
      "uncertain",
    ],
    [
      "exactly max_age_ms is fresh",
      { max_age_ms: 60_000 },
      { value: 1, quality: "good", timestamp: T0 - 60_000 },
      1,
      "good",
    ],
  ];
  it.each(cases)("%s", (_name, config, read, value, quality) => {
    const r = nodeRunner(
      sensorRead,
      { point: "bacnet:1001:AI1", ...config },
      { points: read ? { [POINT]: read } : {} },
    );
    expect(r.run().value).toMatchObject({ value, quality });
  });
});
