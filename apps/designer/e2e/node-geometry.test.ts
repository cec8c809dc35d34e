import { api } from "@bms/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownGeometry } from "../src/components/flow-editor/node-size";
import { nodeDescriptors } from "../src/lib/node-catalog";
import { defaultConfig } from "../src/lib/zod-form";
import { wiredPortsKey } from "../src/store/wired-ports";
import { type BrowserSession, openBrowser } from "./support/browser";
import { type DesignerHandle, startDesigner } from "./support/designer";

// No supervisor and no fixed port: the Designer takes a free port on 127.0.0.1 (support/designer.ts).

/**
 * The canvas hands React Flow each node's size and handle positions computed from its ports
 * (node-size.ts), so opening a 2,000-node flow measures nothing. A size or handle that disagreed with
 * the drawn node would put wires beside their ports: every node type of the catalog, drawn at 1:1, must
 * match its computed geometry to the pixel.
 */
describe("Designer node geometry known before layout", () => {
  let designer: DesignerHandle;
  let browser: BrowserSession;

  beforeAll(async () => {
    designer = await startDesigner({});
    browser = await openBrowser({ width: 1600, height: 1000 });
  });

  afterAll(async () => {
    await browser?.close();
    await designer?.stop();
  });

  it("every node type is drawn at the size and with the handles the canvas told React Flow", async () => {
    const nodes = nodeDescriptors.map((d, i) => ({
      id: `n${i}`,
      type: d.type,
      version: d.version,
      position: { x: (i % 6) * 260, y: Math.floor(i / 6) * 260 },
      config: defaultConfig(d.config),
    }));
    // An OR with five inputs and one wired beyond them, and a title long enough to wrap.
    nodes.push({
      id: "or5",
      type: "or",
      version: 1,
      position: { x: 0, y: 4000 },
      config: { input_count: 5 },
    });
    nodes.push({
      id: "or2",
      type: "or",
      version: 1,
      position: { x: 300, y: 4000 },
      config: { input_count: 2 },
    });
    const labelled = {
      id: "long",
      type: "threshold",
      version: 1,
      label: "North wing zone temperature above setpoint",
      position: { x: 600, y: 4000 },
      config: { operator: ">", value: 24 },
    };
    const connections = [
      { from_node: "or5", from_output: "result", to_node: "or2", to_input: "in4" },
      { from_node: "long", from_output: "result", to_node: "or5", to_input: "in1" },
    ];
    const created = await api<{ project: { id: string } }>(designer.url, "/api/projects", {
      body: { name: "geometry" },
    });
    const projectId = created.body.project.id;
    const opened = await api<{
      document: {
        base_version: number;
        document: { flows: { configuration: { metadata: Record<string, unknown> } }[] };
      };
    }>(designer.url, `/api/projects/${projectId}/document`);
    const { base_version, document: savedDocument } = opened.body.document;
    const configuration = {
      metadata: savedDocument.flows[0]?.configuration.metadata,
      nodes: [...nodes, labelled],
      connections,
    };
    const saved = await api(designer.url, `/api/projects/${projectId}/versions`, {
      body: {
        base_version,
        document: {
          ...savedDocument,
          flows: [{ configuration, flow_data: { comments: [], viewport: { x: 40, y: 40, zoom: 1 } } }],
        },
      },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);

    const page = browser.page;
    await page.goto(`${designer.url}/projects/${projectId}`);
    await page.getByTestId("flow-node-long").waitFor();
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(connections.length);

    const edges = connections.map((c) => ({
      id: `${c.from_node}-${c.to_node}`,
      source: c.from_node,
      sourceHandle: c.from_output,
      target: c.to_node,
      targetHandle: c.to_input,
    }));
    let checked = 0;
    for (const node of nodes) {
      const geometry = knownGeometry(
        { type: node.type, version: node.version, config: node.config, runtime_options: undefined as never },
        wiredPortsKey(edges, node.id),
      );
      expect(geometry, node.type).not.toBeNull();
      if (!geometry) continue;
      const drawn = await page.evaluate((id) => {
        const el = document.querySelector(`.react-flow__node[data-id="${id}"]`);
        if (!el) return null;
        const box = el.getBoundingClientRect();
        return {
          width: box.width,
          height: box.height,
          handles: [...el.querySelectorAll<HTMLElement>(".react-flow__handle")].map((h) => {
            const r = h.getBoundingClientRect();
            return {
              id: h.dataset.handleid ?? "",
              type: h.classList.contains("source") ? "source" : "target",
              x: r.left - box.left,
              y: r.top - box.top,
            };
          }),
        };
      }, node.id);
      expect(drawn, node.type).not.toBeNull();
      expect({ type: node.type, width: drawn?.width, height: drawn?.height }).toEqual({
        type: node.type,
        width: geometry.width,
        height: geometry.height,
      });
      const sortById = <T extends { type: string; id: string }>(list: T[]) =>
        [...list].sort((a, b) => `${a.type}${a.id}`.localeCompare(`${b.type}${b.id}`));
      expect(sortById(drawn?.handles ?? []), node.type).toEqual(
        sortById(geometry.handles.map((h) => ({ id: h.id ?? "", type: h.type, x: h.x, y: h.y }))),
      );
      checked++;
    }
    expect(checked).toBe(nodes.length);
    // A title that may wrap is left to React Flow to measure.
    expect(
      knownGeometry({ type: "threshold", version: 1, label: labelled.label, config: {} } as never, ""),
    ).toBeNull();
  });
});
