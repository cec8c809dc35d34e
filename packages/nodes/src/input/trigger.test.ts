import { describe, expect, it } from "vitest";
import { nodeRunner } from "../testing/node-runner";
import { trigger } from "./trigger";

const AT = Date.parse("2026-03-02T10:03:00Z");

describe("trigger", () => {
  it("exposes the scan time, trigger kind and scan count", () => {
    const r = nodeRunner(trigger, {}, { start: AT });
    const out = r.run();
    expect([out.now?.value, out.trigger?.value, out.scan?.value, out.due?.value]).toEqual([
      AT,
      "interval",
      1,
      true,
    ]);
    expect(out.next_run?.quality).toBe("bad");
  });

  // Scans every 30 s from 10:03:00 with a 5-minute schedule: due at the first scan at or after 10:05 and 10:10.
  it("is due once per scheduled instant, on the first scan at or after it", () => {
    const r = nodeRunner(trigger, { schedule: "*/5 * * * *" }, { start: AT });
    const dues: string[] = [];
    for (let i = 0; i < 20; i++) {
      const out = r.run({}, i === 0 ? 0 : 30_000);
      if (out.due?.value) dues.push(new Date(r.now).toISOString().slice(11, 19));
    }
    expect(dues).toEqual(["10:03:00", "10:05:00", "10:10:00"]);
  });

  it("gives one due after an outage, not a burst", () => {
    const r = nodeRunner(trigger, { schedule: "*/5 * * * *", due_on_start: false }, { start: AT });
    expect(r.run().due?.value).toBe(false);
    expect(r.run({}, 3_600_000).due?.value).toBe(true);
    expect(r.run({}, 1000).due?.value).toBe(false);
  });

  it("computes next_run in the schedule's time zone", () => {
    const r = nodeRunner(trigger, { schedule: "0 7 * * *", timezone: "Europe/Paris" }, { start: AT });
    expect(new Date(r.run().next_run?.value as number).toISOString()).toBe("2026-03-03T06:00:00.000Z");
  });

  it("refuses a bad cron expression or time zone at validation", () => {
    expect(trigger.config.safeParse({ schedule: "every day" }).success).toBe(false);
    expect(trigger.config.safeParse({ schedule: "* * * * *", timezone: "Mars/Olympus" }).success).toBe(false);
  });
});
