import { compileFlow, type FlowPlan, lookupNode } from "@bms/nodes";
import { reheatOverrideFlow } from "@bms/test-support";
import { describe, expect, it } from "vitest";
import type { CommandPicture } from "../protocols/bacnet/command-picture";
import type { StoredCommand } from "../storage/commands-repo";
import { priorityView } from "./priority-view";

const POINT = "bacnet:3001/analogOutput:2.presentValue";
const FLOW_ID = "6f1c9a52-0d3e-4b7a-9f4e-2a8d5c1e7b30";

function plan(): FlowPlan {
  const compiled = compileFlow(reheatOverrideFlow({ flowId: FLOW_ID }), lookupNode);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.value;
}

/** A device's picture with values at the given priorities (`{5: 80, 8: 35}`), every other slot empty. */
function picture(held: Record<number, number>, winner: number | null): CommandPicture {
  return {
    quality: "good",
    presentValue: winner === null ? 0 : (held[winner] ?? null),
    relinquishDefault: 0,
    slots: Array.from({ length: 16 }, (_, i) => held[i + 1] ?? null),
    winningPriority: winner,
    labels: { units: "percent" },
    timestamp: Date.UTC(2026, 11, 1, 9),
  };
}

const command = (
  priority: number,
  value: number,
  flowId: string | null,
  nodeId: string | null,
): StoredCommand => ({
  ref: POINT,
  priority,
  value,
  writtenAt: 0,
  flowId,
  nodeId,
});

describe("priorityView", () => {
  it("names the running flow's node on its slot and marks another writer's slot", () => {
    const view = priorityView(
      POINT,
      picture({ 5: 80, 8: 35 }, 5),
      [command(8, 35, FLOW_ID, "reheat")],
      plan(),
    );
    expect(view.slots[4]).toEqual({ priority: 5, value: 80, source: "other" });
    expect(view.slots[7]).toEqual({
      priority: 8,
      value: 35,
      source: "flow",
      holder: {
        flow_id: FLOW_ID,
        flow_name: "Reheat test",
        node_id: "reheat",
        node_label: "Reheat valve",
        commanded_value: 35,
      },
    });
    expect(view.slots.filter((s) => s.source === null)).toHaveLength(14);
    expect(view).toMatchObject({
      winning_priority: 5,
      present_value: 80,
      relinquish_default: 0,
      units: "percent",
    });
  });

  it("keeps a held slot the device emptied (someone relinquished the flow's command) visible as the flow's", () => {
    const view = priorityView(POINT, picture({}, null), [command(8, 35, FLOW_ID, "reheat")], plan());
    expect(view.slots[7]?.source).toBe("flow");
    expect(view.slots[7]?.value).toBeNull();
    expect(view.winning_priority).toBeNull();
  });

  it("gives a command of another (older) flow its ids without names, and falls back to the node type's label", () => {
    const older = priorityView(POINT, picture({ 8: 35 }, 8), [command(8, 35, "old-flow", "x")], plan());
    expect(older.slots[7]?.holder).toMatchObject({
      flow_id: "old-flow",
      flow_name: null,
      node_id: "x",
      node_label: null,
    });
    const unnamed = priorityView(POINT, picture({ 8: 35 }, 8), [command(8, 35, FLOW_ID, "level")], plan());
    expect(unnamed.slots[7]?.holder?.node_label).toBe("Constant");
  });
});
