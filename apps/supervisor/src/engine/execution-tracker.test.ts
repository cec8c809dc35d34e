import { type ScanResult, scanResultOf } from "@bms/nodes";
import { describe, expect, it } from "vitest";
import {
  ExecutionTracker,
  MAX_SITE_TIMELINE,
  MAX_TIMELINE,
  MAX_TRACE_NODE_RECORDS,
  timelineShare,
} from "./execution-tracker";
import { shareTraceBudget } from "./site-engine";

/** A scan of `nodes` completed nodes. */
function scan(n: number, nodes: number): ScanResult {
  return scanResultOf({
    scan: n,
    startedAt: 0,
    durationMs: 1,
    runs: Array.from({ length: nodes }, (_, i) => ({
      nodeId: `n${i}`,
      status: "completed" as const,
      startedAt: 0,
      durationMs: 0,
      inputs: {},
      outputs: {},
    })),
  });
}

describe("execution tracker: traces", () => {
  it("keeps at most its node-record budget, one trace a second, newest last", () => {
    const tracker = new ExecutionTracker();
    tracker.nodeRecordBudget = 1000;
    const start = 1_700_000_000_000;
    for (let s = 1; s <= 30; s++) tracker.record(scan(s, 100), start + s * 1000);
    const traces = tracker.tracesSince(0);
    // 1,000 records of 100 nodes: the ten newest scans.
    expect(traces.map((t) => t.scan)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  });
});

describe("execution tracker: trace records", () => {
  it("takes each scan's statuses from the result's accessors, builds a trace's records when asked, filters by node", () => {
    const tracker = new ExecutionTracker();
    const one = { value: 1, quality: "good" as const, timestamp: 0 };
    const two = { value: 2, quality: "good" as const, timestamp: 0 };
    const result = scan(2, 3);
    result.runs[1]!.inputs = { a: one };
    result.runs[1]!.outputs = { out: two };
    result.runs[2]!.status = "error";
    result.runs[2]!.error = "timeout";
    tracker.record(result, 1_700_000_000_000);
    // Not a completions scan: only the error reaches the timeline, with its message.
    expect(tracker.recentTimeline(10).map((e) => [e.node_id, e.event_type, e.error_details])).toEqual([
      ["n2", "error", "timeout"],
    ]);
    const [trace] = tracker.tracesSince(0);
    expect(trace!.nodes).toEqual([
      { id: "n0", status: "completed", inputs: {}, outputs: {} },
      { id: "n1", status: "completed", inputs: { a: one }, outputs: { out: two } },
      { id: "n2", status: "error", inputs: {}, outputs: {}, error: "timeout" },
    ]);
    expect(tracker.tracesSince(0, "n1")[0]!.nodes.map((n) => n.id)).toEqual(["n1"]);
    expect(tracker.traceDurationsSince(0)).toEqual([1]);
  });
});

describe("shareTraceBudget", () => {
  it("splits one site budget by node count, so many small flows keep what one large flow keeps", () => {
    const flow = (nodes: number) => ({
      flow: { plan: { nodes: Array.from({ length: nodes }) } },
      tracker: new ExecutionTracker(),
    });
    const site = Array.from({ length: 20 }, () => flow(100));
    shareTraceBudget(site);
    expect(site.reduce((n, f) => n + f.tracker.nodeRecordBudget, 0)).toBe(MAX_TRACE_NODE_RECORDS);
    const mixed = [flow(1900), flow(100)];
    shareTraceBudget(mixed);
    expect(mixed.map((f) => f.tracker.nodeRecordBudget)).toEqual([
      MAX_TRACE_NODE_RECORDS * 0.95,
      MAX_TRACE_NODE_RECORDS * 0.05,
    ]);
    // A flow always keeps at least its last scan.
    const tiny = [flow(MAX_TRACE_NODE_RECORDS * 2), flow(1)];
    shareTraceBudget(tiny);
    expect(tiny[1]!.tracker.nodeRecordBudget).toBe(1);
  });
});

describe("timeline budget", () => {
  it("a site keeps the timeline one flow of its nodes keeps, split by node count", () => {
    const flow = (nodes: number) => ({
      flow: { plan: { nodes: Array.from({ length: nodes }) } },
      tracker: new ExecutionTracker(),
    });
    // The many-flows bench: 20 flows of 100 nodes keep what one flow of their 2,000 nodes keeps.
    const site = Array.from({ length: 20 }, () => flow(100));
    shareTraceBudget(site);
    expect(site.reduce((n, f) => n + f.tracker.timelineBudget, 0)).toBe(MAX_SITE_TIMELINE);
    const one = [flow(2000)];
    shareTraceBudget(one);
    expect(one[0]!.tracker.timelineBudget).toBe(MAX_TIMELINE);
    expect(MAX_SITE_TIMELINE).toBe(MAX_TIMELINE);
    // The 50,000-point bench (50 flows of 1,000 sensor reads): each flow keeps the floor.
    const large = Array.from({ length: 50 }, () => flow(1000));
    shareTraceBudget(large);
    expect(large.every((f) => f.tracker.timelineBudget === 200)).toBe(true);
    // A tiny flow beside a huge one keeps the floor.
    expect(timelineShare(1, 100_000)).toBe(200);
  });

  it("drops the oldest events past the budget", () => {
    const tracker = new ExecutionTracker();
    tracker.timelineBudget = 300;
    const start = 1_700_000_000_000;
    // Completions are kept every tenth scan (1, 11, 21): 3 × 200 events, 300 kept.
    for (let s = 1; s <= 21; s++) tracker.record(scan(s, 200), start + s * 1000);
    const events = tracker.recentTimeline(1000);
    expect(events).toHaveLength(300);
    expect(events[0]!.scan).toBe(11);
    expect(events.at(-1)!.scan).toBe(21);
  });
});
