import { tempDir } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { EventsRepo, REPEAT_WINDOW_MS } from "./events-repo";

const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);

describe("EventsRepo", () => {
  it("folds a message repeated every scan into one row a minute, with the count", () => {
    const events = new EventsRepo(openDatabase(tempDir("events")));
    for (let i = 0; i < 120; i++)
      events.add("warn", "writes", "write bacnet:1/binaryOutput:1 failed: timeout", undefined, T0 + i * 1000);
    const rows = events.recent({ limit: 10 });
    expect(rows).toHaveLength(2);
    expect(rows[0]?.message).toBe(
      "write bacnet:1/binaryOutput:1 failed: timeout (repeated 59 more times in the last minute)",
    );
    expect(rows[1]?.message).toBe("write bacnet:1/binaryOutput:1 failed: timeout");
  });

  it("keeps different messages and sources apart", () => {
    const events = new EventsRepo(openDatabase(tempDir("events")));
    events.add("warn", "a", "x", undefined, T0);
    events.add("warn", "b", "x", undefined, T0 + 1);
    events.add("warn", "a", "y", undefined, T0 + 2);
    events.add("error", "a", "x", undefined, T0 + 3);
    events.add("warn", "a", "x", undefined, T0 + REPEAT_WINDOW_MS);
    expect(events.recent({ limit: 10 })).toHaveLength(5);
  });

  it("prunes by age and by row count", () => {
    const events = new EventsRepo(openDatabase(tempDir("events")));
    for (let i = 0; i < 50; i++)
      events.add("info", "engine", `event ${i}`, undefined, T0 + i * REPEAT_WINDOW_MS);
    expect(events.prune(T0 + 10 * REPEAT_WINDOW_MS)).toBe(10);
    expect(events.prune(0, 15)).toBe(25);
    expect(events.recent({ limit: 100 }).map((e) => e.message)[0]).toBe("event 49");
    expect(events.recent({ limit: 100 })).toHaveLength(15);
  });
});
