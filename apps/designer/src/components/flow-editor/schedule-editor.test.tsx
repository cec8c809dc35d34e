// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { singleFlowDocument } from "../../lib/flow-document";
import type { EditorStoreApi } from "../../store/editor-store";
import { EditorStoreProvider, useEditorStoreApi } from "../../store/editor-store-provider";
import { NodeInspector } from "./node-inspector";

afterEach(cleanup);

function Capture({ onStore }: { onStore: (store: EditorStoreApi) => void }) {
  onStore(useEditorStoreApi());
  return null;
}

/** Configs as wave 1 wrote them: seven day arrays, exceptions without end dates, a multi-wire AND. */
const OLD_FLOW = {
  metadata: {
    flow_id: "3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b",
    flow_name: "Old",
    version: "1.0.0",
    generated_at: "2026-01-01T00:00:00Z",
  },
  execution: {
    trigger: { type: "interval" as const, interval_ms: 1000 },
    error_handling: { retry_count: 0, timeout_ms: 5000, on_failure: "continue" as const },
  },
  nodes: [
    {
      id: "occ",
      type: "weekly_schedule",
      version: 1,
      runtime_options: {},
      config: {
        timezone: "America/New_York",
        default_value: false,
        monday: [{ start: "07:00", end: "18:00" }],
        tuesday: [{ start: "07:00", end: "18:00", value: true }],
        wednesday: [],
        thursday: [],
        friday: [],
        saturday: [],
        sunday: [],
        exceptions: [{ name: "July 4th", date: "07-04" }],
      },
    },
    { id: "a", type: "constant", version: 1, runtime_options: {}, config: { value: true } },
    { id: "b", type: "constant", version: 1, runtime_options: {}, config: { value: 1 } },
    { id: "both", type: "and", version: 1, runtime_options: {}, config: {} },
    { id: "calc", type: "math", version: 1, runtime_options: {}, config: { expression: "a + c" } },
  ],
  connections: [
    { from_node: "a", from_output: "value", to_node: "both", to_input: "inputs" },
    { from_node: "b", from_output: "value", to_node: "both", to_input: "inputs" },
    { from_node: "b", from_output: "value", to_node: "calc", to_input: "c" },
  ],
};

function renderWith(selected: string) {
  let api: EditorStoreApi | undefined;
  render(
    <EditorStoreProvider
      init={{
        projectId: "p",
        projectName: "Old",
        version: 1,
        document: singleFlowDocument(OLD_FLOW),
      }}
    >
      <Capture
        onStore={(store) => {
          api = store;
        }}
      />
      <NodeInspector />
    </EditorStoreProvider>,
  );
  api!.getState().focusNode(selected);
  return api!;
}

describe("forms for configs written before them", () => {
  it("an old weekly schedule loads into the grid, and exact edits and day copies land in its config", async () => {
    const store = renderWith("occ");
    expect((await screen.findByTestId("schedule-timezone")).textContent).toBe("America/New_York");
    expect(screen.getAllByTestId("schedule-transition")).toHaveLength(5);
    fireEvent.click(screen.getByTestId("schedule-open"));
    const monday = screen.getByTestId("schedule-period-monday-0");
    expect([monday.getAttribute("data-start"), monday.getAttribute("data-end")]).toEqual(["07:00", "18:00"]);
    expect(screen.getByTestId("schedule-exception-0-name")).toHaveProperty("value", "July 4th");

    // Select Monday's period by a press and release on it, then type exact times.
    fireEvent.pointerDown(monday, { pointerId: 1, clientX: 0 });
    fireEvent.pointerUp(screen.getByTestId("schedule-track-monday"), { pointerId: 1, clientX: 0 });
    fireEvent.change(screen.getByTestId("schedule-edit-monday-end"), { target: { value: "19:30" } });
    fireEvent.click(screen.getByTestId("schedule-edit-monday-apply"));
    const config = () => store.getState().nodes.find((n) => n.id === "occ")!.data.config;
    expect(config().monday).toEqual([{ start: "07:00", end: "19:30", value: true }]);

    fireEvent.click(screen.getByTestId("schedule-copy-to-saturday"));
    fireEvent.click(screen.getByTestId("schedule-copy-apply"));
    expect(config().saturday).toEqual([{ start: "07:00", end: "19:30", value: true }]);
    // Without a mouse: + adds the first free hour from 08:00 and selects it for typing.
    fireEvent.click(screen.getByTestId("schedule-add-wednesday"));
    expect(config().wednesday).toEqual([{ start: "08:00", end: "09:00" }]);
    fireEvent.click(screen.getByTestId("schedule-add-tuesday"));
    expect(config().tuesday).toEqual([
      { start: "07:00", end: "18:00", value: true },
      { start: "18:00", end: "19:00" },
    ]);
    expect(screen.getByTestId("schedule-edit-tuesday-start")).toHaveProperty("value", "18:00");
    fireEvent.click(screen.getByTestId("schedule-edit-tuesday-delete"));
    // Untouched keys keep what was written.
    expect(config().tuesday).toEqual([{ start: "07:00", end: "18:00", value: true }]);
    expect(config().exceptions).toEqual([{ name: "July 4th", date: "07-04" }]);
  });

  it("an old multi-wire AND keeps its wires, and + input counts from the group's default", async () => {
    const store = renderWith("both");
    expect((await screen.findByTestId("port-count-value-input_count")).textContent).toBe("2");
    fireEvent.click(screen.getByTestId("port-count-add-input_count"));
    expect(store.getState().nodes.find((n) => n.id === "both")!.data.config.input_count).toBe(3);
    expect(store.getState().edges.filter((e) => e.target === "both")).toHaveLength(2);
  });

  it("a math node wired on c shows it as wired beyond its count", async () => {
    renderWith("calc");
    expect((await screen.findByTestId("port-count-input_count")).textContent).toMatch(
      /Input count: 2 \(\+1 wired beyond\)/,
    );
  });
});
