import { describe, expect, it } from "vitest";
import {
  type AlarmRecord,
  ackNote,
  alarmDetail,
  alarmSourceText,
  awaitsAck,
  byUrgency,
  timeAgo,
} from "./alarm-display";

const NOW = Date.parse("2026-12-02T06:00:00.000Z");
const alarm = (over: Partial<AlarmRecord>): AlarmRecord => ({
  key: "zone-1-high",
  node_id: "alarm",
  state: "active",
  priority: "high",
  message: "Zone temperature high: 26",
  latched: false,
  raised_at: "2026-12-02T05:55:00.000Z",
  acked_at: null,
  acked_by: null,
  count: 1,
  flow_id: null,
  ...over,
});

describe("how an alarm reads, the same on the dashboard and in the Designer", () => {
  it("names a device alarm by its device and object, a flow alarm by its node", () => {
    expect(alarmSourceText(alarm({ key: "bacnet:1201/analogInput:3", node_id: "bacnet-device:1201" }))).toBe(
      "device 1201, analogInput:3",
    );
    expect(alarmSourceText(alarm({}))).toBe("node alarm");
    // Two plants' flows both hold a node "pumps": the flow's name tells them apart.
    expect(alarmSourceText(alarm({ node_id: "pumps", flow_id: "f3", flow_name: "CHW plant" }))).toBe(
      "CHW plant › node pumps",
    );
  });

  it("says when, how often, latched and who acknowledged, each only when it applies", () => {
    expect(alarmDetail(alarm({}), NOW)).toBe("raised 5 min ago by node alarm");
    expect(
      alarmDetail(
        alarm({
          count: 3,
          latched: true,
          state: "acknowledged",
          acked_by: "night operator",
          acked_at: "2026-12-02T05:59:30.000Z",
        }),
        NOW,
      ),
    ).toBe("raised 5 min ago by node alarm · 3 times · latched · acknowledged by night operator 30 s ago");
  });

  it("puts the most urgent first, then the newest; only an active alarm waits for an ack", () => {
    const list = [
      alarm({ key: "a", priority: "low" }),
      alarm({ key: "b", priority: "critical", raised_at: "2026-12-02T05:00:00.000Z" }),
      alarm({ key: "c", priority: "critical" }),
      alarm({ key: "d", priority: "odd" }),
    ].sort(byUrgency);
    expect(list.map((a) => a.key)).toEqual(["c", "b", "a", "d"]);
    expect([awaitsAck(alarm({})), awaitsAck(alarm({ state: "acknowledged" }))]).toEqual([true, false]);
  });

  it("words ages as the dashboard always has", () => {
    expect(timeAgo(null, NOW)).toBe("never");
    expect(timeAgo("not a time", NOW)).toBe("unknown");
    expect(timeAgo(NOW - 3 * 3600_000 - 5 * 60_000, NOW)).toBe("3 h 5 min ago");
    expect(timeAgo(NOW - 3 * 86_400_000, NOW)).toBe("3 days ago");
  });

  it.each([
    ["who and the comment", { acked_by: "Ines", ack_comment: "valve replaced" }, "Ines: valve replaced"],
    ["an operator not named", { acked_by: null, ack_comment: "reset on site" }, "operator: reset on site"],
    [
      "markup as the characters typed",
      { acked_by: "<b>x</b>", ack_comment: '<img src=x onerror="alert(1)">' },
      '<b>x</b>: <img src=x onerror="alert(1)">',
    ],
    ["no note without a comment", { acked_by: "Ines", ack_comment: null }, null],
    ["no note for an empty comment", { acked_by: "Ines", ack_comment: "" }, null],
    ["no note for a record from before comments", { acked_by: "Ines" }, null],
  ] as const)("puts the acknowledgement's note as who: comment (%s)", (_case, fields, note) => {
    expect(ackNote(alarm({ ...fields, acked_at: "2026-12-02T05:58:00.000Z" }))).toBe(note);
  });
});
