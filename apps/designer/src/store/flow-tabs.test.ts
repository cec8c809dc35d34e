import { describe, expect, it } from "vitest";
import { demoFlowConfiguration, singleFlowDocument } from "../lib/flow-document";
import { searchFlows } from "../lib/flow-search";
import { createEditorStore } from "./editor-store";

const FLOW_ID = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";

function siteStore() {
  return createEditorStore({
    projectId: "p1",
    projectName: "Site",
    version: 1,
    document: singleFlowDocument(demoFlowConfiguration(FLOW_ID, "AHU-1")),
  });
}

const names = (store: ReturnType<typeof siteStore>) =>
  store
    .getState()
    .toDocument()
    .flows.map((f) => f.configuration.metadata.flow_name);

describe("flow tabs in the editor store", () => {
  it("adds, renames, reorders, duplicates and deletes flows, each one undo step", () => {
    const store = siteStore();
    const s = () => store.getState();
    const added = s().addFlow("VAV loops");
    expect(s().activeFlowId).toBe(added);
    expect(s().nodes).toEqual([]);
    expect(names(store)).toEqual(["AHU-1", "VAV loops"]);
    s().renameFlow(added, "VAV loops (5 s)");
    expect(s().metadata.flow_name).toBe("VAV loops (5 s)");
    s().moveFlow(added, 0);
    expect(names(store)).toEqual(["VAV loops (5 s)", "AHU-1"]);
    const copy = s().duplicateFlow(FLOW_ID)!;
    expect(names(store)).toEqual(["VAV loops (5 s)", "AHU-1", "AHU-1 (copy)"]);
    expect(s().activeFlowId).toBe(copy);
    expect(s().nodes.map((n) => n.id)).toEqual(["zone_temp", "too_warm", "cooling_cmd"]);
    expect(
      new Set(
        s()
          .toDocument()
          .flows.map((f) => f.configuration.metadata.flow_id),
      ).size,
    ).toBe(3);
    expect(s().deleteFlow(copy)).toBe(true);
    expect(names(store)).toEqual(["VAV loops (5 s)", "AHU-1"]);

    // Undo walks back through every tab operation, in order, then redo forward again.
    s().undo();
    expect(names(store)).toEqual(["VAV loops (5 s)", "AHU-1", "AHU-1 (copy)"]);
    s().undo();
    expect(names(store)).toEqual(["VAV loops (5 s)", "AHU-1"]);
    s().undo();
    // Before the move: the renamed tab back in second place.
    expect(names(store)).toEqual(["AHU-1", "VAV loops (5 s)"]);
    s().undo();
    expect(names(store)).toEqual(["AHU-1", "VAV loops"]);
    s().undo();
    expect(names(store)).toEqual(["AHU-1"]);
    expect(s().activeFlowId).toBe(FLOW_ID);
    s().redo();
    s().redo();
    expect(names(store)).toEqual(["AHU-1", "VAV loops (5 s)"]);
  });

  it("keeps each flow's canvas and trigger when switching tabs, and never deletes the last flow", () => {
    const store = siteStore();
    const s = () => store.getState();
    const vav = s().addFlow("VAV");
    s().setExecution({ ...s().execution, trigger: { type: "interval", interval_ms: 5000 } });
    s().addNode("threshold", { x: 10, y: 20 });
    s().switchFlow(FLOW_ID);
    expect(s().nodes).toHaveLength(3);
    expect(s().execution.trigger).toEqual({ type: "interval", interval_ms: 1000 });
    s().switchFlow(vav);
    expect(s().nodes.map((n) => n.data.type)).toEqual(["threshold"]);
    expect(s().execution.trigger).toEqual({ type: "interval", interval_ms: 5000 });
    // Undo of the node added in VAV, from the AHU tab, goes back to the VAV tab.
    s().switchFlow(FLOW_ID);
    s().undo();
    expect(s().activeFlowId).toBe(vav);
    expect(s().nodes).toEqual([]);
    s().deleteFlow(vav);
    expect(s().deleteFlow(FLOW_ID)).toBe(false);
    expect(names(store)).toEqual(["AHU-1"]);
  });

  it("copies nodes from one flow and pastes them into another", () => {
    const store = siteStore();
    const s = () => store.getState();
    s().focusNode("zone_temp");
    const clip = s().copySelection()!;
    const other = s().addFlow("Plant");
    expect(s().paste(clip)).toBe(1);
    const doc = s().toDocument();
    expect(doc.flows[1]!.configuration.metadata.flow_id).toBe(other);
    expect(doc.flows[1]!.configuration.nodes.map((n) => n.config.point)).toEqual([
      "bacnet:1001/analogInput:1.presentValue",
    ]);
    expect(doc.flows[0]!.configuration.nodes).toHaveLength(3);
  });

  it("finds nodes across flows by label, type, alias and point, and jumps to them", () => {
    const store = siteStore();
    const s = () => store.getState();
    s().addFlow("Plant");
    s().addNode("sensor_read", { x: 0, y: 0 }, { point: "bacnet:2001/analogInput:7.presentValue" });
    const doc = s().toDocument();
    expect(searchFlows(doc, "2001/analogInput:7").map((h) => [h.flowName, h.field])).toEqual([
      ["Plant", "point"],
    ]);
    expect(searchFlows(doc, "cooling cmd").map((h) => [h.flowName, h.nodeId])).toEqual([
      ["AHU-1", "cooling_cmd"],
    ]);
    expect(searchFlows(doc, "threshold").map((h) => h.field)).toEqual(["type"]);
    const hit = searchFlows(doc, "zone temp")[0]!;
    s().focusNodeInFlow(hit.flowId, hit.nodeId);
    expect(s().activeFlowId).toBe(FLOW_ID);
    expect(s().focusRequest?.nodeId).toBe("zone_temp");
    expect(s().nodes.find((n) => n.id === "zone_temp")?.selected).toBe(true);
  });
});
