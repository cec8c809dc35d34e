import { describe, expect, it, vi } from "vitest";
import { demoFlowConfiguration, FlowDataSchema, singleFlowDocument } from "../lib/flow-document";
import { createEditorStore, NUDGE_SETTLE_MS } from "./editor-store";

const FLOW_ID = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";

function demoStore(configuration = demoFlowConfiguration(FLOW_ID, "Demo")) {
  return createEditorStore({
    projectId: "p1",
    projectName: "Demo",
    version: 1,
    document: singleFlowDocument(configuration),
  });
}

describe("editor store", () => {
  it("round-trips the configuration it was opened with", () => {
    const flow = demoFlowConfiguration(FLOW_ID, "Demo");
    expect(demoStore(flow).getState().toConfiguration()).toEqual(flow);
  });

  it("refuses a connection between incompatible port types and says why", () => {
    const store = demoStore();
    const id = store.getState().addNode("threshold", { x: 0, y: 300 })!;
    const message = store
      .getState()
      .connect({ source: "too_warm", sourceHandle: "result", target: id, targetHandle: "value" });
    // Named as drawn: the labelled node by its label, the new one by its type and id; ports by their labels.
    expect(message).toBe(
      `Type mismatch: Above 24 °C: Result is boolean, Threshold (${id}): Value needs number.`,
    );
    expect(store.getState().connectionError).toBe(message);
    expect(store.getState().edges).toHaveLength(2);
  });

  it("refuses a second connection into a single input, and a node feeding itself", () => {
    const store = demoStore();
    expect(
      store.getState().connect({
        source: "zone_temp",
        sourceHandle: "value",
        target: "cooling_cmd",
        targetHandle: "value",
      }),
    ).toMatch(/already connected/);
    expect(
      store
        .getState()
        .connect({ source: "too_warm", sourceHandle: "result", target: "too_warm", targetHandle: "limit" }),
    ).toMatch(/cannot feed itself/);
  });

  it("accepts a compatible connection (any → number)", () => {
    const store = demoStore();
    const id = store.getState().addNode("threshold", { x: 0, y: 300 })!;
    expect(
      store
        .getState()
        .connect({ source: "zone_temp", sourceHandle: "value", target: id, targetHandle: "value" }),
    ).toBeNull();
    expect(store.getState().edges).toHaveLength(3);
  });

  it("undoes and redoes node additions, config edits and deletions", () => {
    const store = demoStore();
    const s = () => store.getState();
    const id = s().addNode("sensor_read", { x: 10.4, y: 20.6 })!;
    expect(s().nodes.find((n) => n.id === id)?.position).toEqual({ x: 10, y: 21 });
    s().updateNodeConfig("too_warm", "value", 25);
    s().updateNodeConfig("too_warm", "value", 26); // same field, same moment: one undo step
    s().deleteSelection(); // the new node is selected
    expect(s().nodes.map((n) => n.id)).not.toContain(id);

    s().undo();
    expect(s().nodes.map((n) => n.id)).toContain(id);
    s().undo();
    expect(s().nodes.find((n) => n.id === "too_warm")?.data.config.value).toBe(24);
    s().undo();
    expect(s().nodes).toHaveLength(3);
    s().redo();
    s().redo();
    expect(s().nodes.find((n) => n.id === "too_warm")?.data.config.value).toBe(26);
  });

  it("makes a drag one document change at the drop, not one per frame, and one undo step", () => {
    const store = demoStore();
    const s = () => store.getState();
    const start = s().revision;
    const from = s().nodes.find((n) => n.id === "too_warm")!.position;
    s().beginMove();
    for (let i = 1; i <= 30; i++)
      s().onNodesChange([
        { type: "position", id: "too_warm", position: { x: from.x + i * 4, y: from.y }, dragging: true },
      ]);
    // The canvas follows the pointer, but nothing revalidates or autosaves mid-drag.
    expect(s().nodes.find((n) => n.id === "too_warm")!.position.x).toBe(from.x + 120);
    expect(s().revision).toBe(start);
    s().onNodesChange([
      { type: "position", id: "too_warm", position: { x: from.x + 120, y: from.y }, dragging: false },
    ]);
    expect(s().revision).toBe(start + 1);
    expect(
      s()
        .toConfiguration()
        .nodes.find((n) => n.id === "too_warm")!.position,
    ).toEqual({
      x: from.x + 120,
      y: from.y,
    });
    s().undo();
    expect(s().nodes.find((n) => n.id === "too_warm")!.position).toEqual(from);
  });

  it("makes a burst of arrow moves one undo step and one document change, landed when the keys stop", () => {
    vi.useFakeTimers();
    try {
      const store = demoStore();
      const s = () => store.getState();
      const start = s().revision;
      const steps = s().past.length;
      const from = s().nodes.find((n) => n.id === "too_warm")!.position;
      const press = (i: number) =>
        s().nudgeNodes([
          { type: "position", id: "too_warm", position: { x: from.x + i * 8, y: from.y }, dragging: false },
        ]);
      for (let i = 1; i <= 5; i++) {
        press(i);
        vi.advanceTimersByTime(NUDGE_SETTLE_MS - 100);
      }
      // Moved on the canvas, one undo step taken, but no document change yet: the burst goes on.
      expect(s().nodes.find((n) => n.id === "too_warm")!.position.x).toBe(from.x + 40);
      expect(s().past).toHaveLength(steps + 1);
      expect(s().revision).toBe(start);
      vi.advanceTimersByTime(100);
      expect(s().revision).toBe(start + 1);
      vi.advanceTimersByTime(5 * NUDGE_SETTLE_MS);
      expect(s().revision).toBe(start + 1);

      // Undo takes back the whole burst; redo brings it back.
      s().undo();
      expect(s().nodes.find((n) => n.id === "too_warm")!.position).toEqual(from);
      s().redo();
      expect(s().nodes.find((n) => n.id === "too_warm")!.position.x).toBe(from.x + 40);

      // Another change lands a burst at once and stays a step of its own; undo within the burst's
      // settle time takes it back whole too.
      press(6);
      expect(s().revision).toBe(start + 3);
      s().addNode("threshold", { x: 0, y: 300 });
      expect(s().revision).toBeGreaterThanOrEqual(start + 5);
      expect(s().past).toHaveLength(steps + 3);
      s().undo();
      s().undo();
      expect(s().nodes.find((n) => n.id === "too_warm")!.position.x).toBe(from.x + 40);
      press(7);
      press(8);
      s().undo();
      expect(s().nodes.find((n) => n.id === "too_warm")!.position.x).toBe(from.x + 40);
    } finally {
      vi.useRealTimers();
    }
  });

  it("takes back a cancelled drag's undo step and gives back the redo steps it cleared", () => {
    const store = demoStore();
    const s = () => store.getState();
    const id = s().addNode("threshold", { x: 0, y: 300 })!;
    s().undo();
    expect(s().future).toHaveLength(1);
    const past = s().past;
    const revision = s().revision;
    const nodes = s().nodes;
    s().beginMove();
    expect(s().past).toHaveLength(past.length + 1);
    expect(s().future).toHaveLength(0);
    s().cancelMove();
    expect(s().past).toEqual(past);
    expect(s().future).toHaveLength(1);
    expect(s().revision).toBe(revision);
    // The same nodes in a new list: React Flow adopts them again, dropping what the drag drew live.
    expect(s().nodes).not.toBe(nodes);
    expect(s().nodes).toEqual(nodes);
    s().redo();
    expect(s().nodes.map((n) => n.id)).toContain(id);
  });

  it("keeps a step remembered after the drag began when the drag is cancelled", () => {
    const store = demoStore();
    const s = () => store.getState();
    s().beginMove();
    s().addNode("threshold", { x: 0, y: 300 });
    const past = s().past;
    s().cancelMove();
    expect(s().past).toBe(past);
    s().cancelMove();
    expect(s().past).toBe(past);
  });

  it("pastes copies with fresh ids and their inner connections, also into another editor", () => {
    const source = demoStore();
    source.getState().selectAll();
    const clipboard = source.getState().copySelection()!;
    const target = demoStore();
    expect(target.getState().paste(clipboard)).toBe(3);
    const ids = target.getState().nodes.map((n) => n.id);
    expect(ids).toEqual([
      "zone_temp",
      "too_warm",
      "cooling_cmd",
      "sensor_read_1",
      "threshold_1",
      "actuator_write_1",
    ]);
    expect(target.getState().edges.map((e) => e.id)).toContain("sensor_read_1.value->threshold_1.value");
    expect(target.getState().paste("not a clipboard payload")).toBe(0);
  });

  it("renames a pasted alias that is taken (a template dropped twice), so expressions still resolve", () => {
    const store = demoStore();
    const id = store.getState().addNode("constant", { x: 0, y: 0 }, { value: 1 })!;
    store.getState().updateNodeMeta(id, { alias: "sp" });
    store.getState().focusNode(id);
    const clipboard = store.getState().copySelection()!;
    store.getState().paste(clipboard);
    store.getState().paste(clipboard);
    expect(
      store
        .getState()
        .nodes.filter((n) => n.data.type === "constant")
        .map((n) => n.data.alias),
    ).toEqual(["sp", "sp_2", "sp_3"]);
  });

  it("groups selected nodes in a frame that moves them, renames, survives flow_data, and ungroups", () => {
    const flow = demoFlowConfiguration(FLOW_ID, "Demo");
    const store = demoStore(flow);
    const s = () => store.getState();
    const select = (ids: string[]) =>
      s().onNodesChange(
        [...s().nodes, ...s().groups].map((n) => ({
          type: "select",
          id: n.id,
          selected: ids.includes(n.id),
        })),
      );
    expect(s().groupSelection()).toBeNull(); // nothing selected
    select(["zone_temp", "too_warm"]);
    const id = s().groupSelection()!;
    expect(id).toBe("group_1");
    const group = s().groups[0]!;
    expect(group.data).toEqual({ label: "Group 1", members: ["zone_temp", "too_warm"] });
    // The frame encloses both nodes (at 80,120 and 400,120; 220 wide by default).
    expect(group.position.x).toBeLessThan(80);
    expect(group.position.y).toBeLessThan(120);
    expect(group.position.x + group.width!).toBeGreaterThan(620);

    // Dragging the frame carries its members by the same delta; the others stay.
    s().onNodesChange([
      {
        type: "position",
        id,
        position: { x: group.position.x + 40, y: group.position.y + 16 },
        dragging: true,
      },
    ]);
    const at = (n: string) => s().nodes.find((x) => x.id === n)!.position;
    expect(at("zone_temp")).toEqual({ x: 120, y: 136 });
    expect(at("too_warm")).toEqual({ x: 440, y: 136 });
    expect(at("cooling_cmd")).toEqual({ x: 720, y: 120 });

    s().renameGroup(id, "Zone sensing");
    s().onNodesChange([
      {
        type: "dimensions",
        id,
        dimensions: { width: 900, height: 400 },
        resizing: false,
        setAttributes: true,
      },
    ]);
    const flowData = s().toFlowData();
    expect(flowData.groups).toEqual([
      {
        id,
        label: "Zone sensing",
        position: { x: group.position.x + 40, y: group.position.y + 16 },
        width: 900,
        height: 400,
        members: ["zone_temp", "too_warm"],
      },
    ]);
    // The deployed configuration has no trace of the group: same nodes and connections, moved positions only.
    const configuration = s().toConfiguration();
    expect(configuration.nodes.map((n) => n.id)).toEqual(flow.nodes.map((n) => n.id));
    expect(configuration.connections).toEqual(flow.connections);
    expect(JSON.stringify(configuration)).not.toContain("group_1");

    // Reopened from what was saved, the group is back and still carries its members.
    const reopened = createEditorStore({
      projectId: "p1",
      projectName: "Demo",
      version: 2,
      document: singleFlowDocument(configuration, FlowDataSchema.parse(JSON.parse(JSON.stringify(flowData)))),
    });
    expect(reopened.getState().groups.map((g) => g.data.label)).toEqual(["Zone sensing"]);
    expect(reopened.getState().toFlowData()).toEqual(flowData);

    s().ungroup(id);
    expect(s().groups).toEqual([]);
    expect(at("zone_temp")).toEqual({ x: 120, y: 136 }); // members stay where they are
    s().undo();
    expect(s().groups.map((g) => g.id)).toEqual([id]);
    // Ctrl+Shift+G on a member ungroups too.
    select(["too_warm"]);
    expect(s().ungroupSelection()).toBe(1);
    expect(s().toFlowData().groups).toEqual([]);
  });

  it("takes nodes out of their old group when they are grouped again, dropping an emptied frame", () => {
    const store = demoStore();
    const s = () => store.getState();
    const select = (ids: string[]) =>
      s().onNodesChange(
        [...s().nodes, ...s().groups].map((n) => ({
          type: "select",
          id: n.id,
          selected: ids.includes(n.id),
        })),
      );
    select(["zone_temp"]);
    s().groupSelection();
    select(["zone_temp", "too_warm"]);
    s().groupSelection();
    expect(s().groups.map((g) => [g.id, g.data.members])).toEqual([["group_2", ["zone_temp", "too_warm"]]]);
    // A deleted member leaves the saved group.
    select(["too_warm"]);
    s().deleteSelection();
    expect(s().toFlowData().groups[0]?.members).toEqual(["zone_temp"]);
  });

  it("keeps a conflict until the user reloads or saves on top, and keeps the edits meanwhile", () => {
    const store = demoStore();
    store.getState().addNode("constant", { x: 0, y: 400 });
    const edited = store.getState().revision;
    store.getState().setConflict({ latestVersion: 3 });
    // Nothing of the working copy is touched by the conflict itself.
    expect(store.getState().nodes).toHaveLength(4);
    expect(store.getState().revision).toBe(edited);
    expect(store.getState().revision).not.toBe(store.getState().savedRevision);
    // "Save as a new version on top" lands as v4 based on v3: saved, conflict gone.
    store.getState().markSaved(4, edited);
    expect(store.getState()).toMatchObject({ conflict: null, baseVersion: 4, savedRevision: edited });

    store.getState().setConflict({ latestVersion: 5 });
    // "Reload" replaces the document with the newest version and ends the conflict.
    store
      .getState()
      .loadDocument({ document: singleFlowDocument(demoFlowConfiguration(FLOW_ID, "Demo")), version: 5 });
    expect(store.getState()).toMatchObject({ conflict: null, baseVersion: 5 });
    expect(store.getState().nodes).toHaveLength(3);
    expect(store.getState().revision).toBe(store.getState().savedRevision);
  });

  it("brings the side panel back to Properties when a node is focused", () => {
    const store = demoStore();
    store.getState().showSidePanel("bacnet");
    expect(store.getState().sidePanel).toBe("bacnet");
    store.getState().focusNode("too_warm");
    expect(store.getState().sidePanel).toBe("properties");
  });
});
