// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { demoFlowConfiguration, singleFlowDocument } from "../../lib/flow-document";
import type { EditorStoreApi } from "../../store/editor-store";
import { EditorStoreProvider, useEditorStoreApi } from "../../store/editor-store-provider";
import { NodeInspector } from "./node-inspector";

afterEach(cleanup);

/** Hands the provider's store to the test, as a component deeper in the editor would use it. */
function Capture({ onStore }: { onStore: (store: EditorStoreApi) => void }) {
  onStore(useEditorStoreApi());
  return null;
}

function renderInspector(selected: string) {
  const configuration = demoFlowConfiguration("3f1e0f4e-8b7a-4f55-9a52-0c1d2e3f4a5b", "Demo");
  let api: EditorStoreApi | undefined;
  render(
    <EditorStoreProvider
      init={{ projectId: "p", projectName: "Demo", version: 1, document: singleFlowDocument(configuration) }}
    >
      <Capture
        onStore={(store) => {
          api = store;
        }}
      />
      <NodeInspector />
    </EditorStoreProvider>,
  );
  const store = api!;
  // Select after mount, as a click on the canvas would.
  store.getState().focusNode(selected);
  return store;
}

describe("inspector form generated from the node's schema", () => {
  it("keeps bad input out of the node config and takes good input", async () => {
    const store = renderInspector("cooling_cmd");
    const priority = await screen.findByTestId("field-priority");
    fireEvent.change(priority, { target: { value: "0" } });
    expect(screen.getByTestId("field-error-priority")).toBeTruthy();
    const config = () => store.getState().nodes.find((n) => n.id === "cooling_cmd")!.data.config;
    expect(config().priority).toBe(8);
    fireEvent.change(priority, { target: { value: "12" } });
    expect(config().priority).toBe(12);
    expect(store.getState().toConfiguration().nodes[2]!.config.priority).toBe(12);
  });

  it("refuses an alias that is not an identifier", async () => {
    const store = renderInspector("too_warm");
    const alias = await screen.findByTestId("field-alias");
    fireEvent.change(alias, { target: { value: "2hot" } });
    expect(screen.getByTestId("field-error-alias")).toBeTruthy();
    expect(store.getState().nodes.find((n) => n.id === "too_warm")!.data.alias).toBeUndefined();
    fireEvent.change(alias, { target: { value: "too_hot" } });
    expect(store.getState().nodes.find((n) => n.id === "too_warm")!.data.alias).toBe("too_hot");
  });
});
