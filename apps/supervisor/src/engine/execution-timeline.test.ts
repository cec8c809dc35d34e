import { describe, expect, it } from "vitest";
import { ExecutionTimeline } from "./execution-timeline";

const T0 = 1_700_000_000_000;

describe("execution timeline ring", () => {
  it("keeps the newest events, oldest first, with the API's shape", () => {
    const timeline = new ExecutionTimeline(3);
    for (let s = 1; s <= 5; s++)
      timeline.push(
        `n${s}`,
        s === 4 ? "error" : "completed",
        s,
        T0 + s,
        s / 10,
        s === 4 ? "boom" : undefined,
      );
    const events = timeline.recent(10);
    expect(events.map((e) => e.node_id)).toEqual(["n3", "n4", "n5"]);
    expect(events[1]).toEqual({
      node_id: "n4",
      event_type: "error",
      timestamp: new Date(T0 + 4).toISOString(),
      scan: 4,
      duration_ms: 0.4,
      error_details: "boom",
    });
    expect(events[0]).not.toHaveProperty("error_details");
    // limit and since, as the routes ask; 0 means all, as slice(-0) always did.
    expect(timeline.recent(2).map((e) => e.scan)).toEqual([4, 5]);
    expect(timeline.recent(0)).toHaveLength(3);
    expect(timeline.recent(10, T0 + 4).map((e) => e.scan)).toEqual([4, 5]);
  });

  it("a smaller budget keeps the newest events that fit, a larger one keeps all and grows", () => {
    const timeline = new ExecutionTimeline(5);
    for (let s = 1; s <= 7; s++) timeline.push(`n${s}`, "skipped", s, T0 + s, 0);
    timeline.capacity = 2;
    expect(timeline.recent(10).map((e) => e.scan)).toEqual([6, 7]);
    timeline.capacity = 4;
    timeline.push("n8", "completed", 8, T0 + 8, 0);
    timeline.push("n9", "completed", 9, T0 + 9, 0);
    timeline.push("n10", "completed", 10, T0 + 10, 0);
    expect(timeline.recent(10).map((e) => e.scan)).toEqual([7, 8, 9, 10]);
    timeline.clear();
    expect(timeline.recent(10)).toEqual([]);
  });
});
