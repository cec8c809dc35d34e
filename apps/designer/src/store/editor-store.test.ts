import { describe, expect, it } from "vitest";
import { demoFlowConfiguration, EMPTY_FLOW_DATA } from "../lib/flow-document";
import { createEditorStore } from "./editor-store";

const FLOW_ID = "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b";

function demoStore(configuration = demoFlowConfiguration(FLOW_ID, "Demo")) {
  return createEditorStore({
    projectId: "p1",
    projectName: "Demo",
    version: 1,
    configuration,
    flowData: EMPTY_FLOW_DATA,
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
    expect(message).toBe(`Type mismatch: too_warm.result is boolean, ${id}.value needs number.`);
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
});
