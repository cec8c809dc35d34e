import { api } from "@bms/test-support";
import type { Page } from "playwright-core";

// What the large-flow browser tests share (level of detail, drag at scale, an aborted drag): the flow
// they open, how they get close enough to aim at a node, and the mouse's part of a drag.

/** Nodes a row of the chain flow. */
export const COLUMNS = 12;

export type Point = { x: number; y: number };

/**
 * `count` OR gates on a grid, each row a chain: or_i.result feeds or_{i+1}.in1. Every in2 is free, so
 * any two neighbours can still be wired by hand.
 */
export function chainFlow(count: number, metadata: unknown) {
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: `or_${i}`,
    type: "or",
    version: 1,
    position: { x: (i % COLUMNS) * 300, y: Math.floor(i / COLUMNS) * 160 },
    config: { input_count: 2 },
  }));
  const connections = nodes.flatMap((n, i) =>
    i % COLUMNS !== COLUMNS - 1 && i + 1 < count
      ? [{ from_node: n.id, from_output: "result", to_node: `or_${i + 1}`, to_input: "in1" }]
      : [],
  );
  return { metadata, nodes, connections };
}

/** A new project whose one flow is the chain flow of `count` nodes, saved as its first version. */
export async function createChainProject(designerUrl: string, name: string, count: number) {
  const created = await api<{ project: { id: string } }>(designerUrl, "/api/projects", { body: { name } });
  const projectId = created.body.project.id;
  const opened = await api<{
    document: { base_version: number; document: { flows: { configuration: { metadata: unknown } }[] } };
  }>(designerUrl, `/api/projects/${projectId}/document`);
  const { base_version, document } = opened.body.document;
  const flow = chainFlow(count, document.flows[0]?.configuration.metadata);
  const saved = await api(designerUrl, `/api/projects/${projectId}/versions`, {
    body: {
      base_version,
      document: { ...document, flows: [{ configuration: flow, flow_data: { comments: [] } }] },
    },
  });
  if (saved.status !== 201)
    throw new Error(`saving the chain flow: HTTP ${saved.status} ${JSON.stringify(saved.body)}`);
  return { projectId, flow };
}

/** The zoom the toolbar shows (1 = 100 %). */
export async function zoomShown(page: Page): Promise<number> {
  return Number.parseFloat((await page.getByTestId("zoom-level").textContent()) ?? "0") / 100;
}

/** Zooms in with the toolbar, a step at a time, until the zoom shown reaches `zoom`. */
export async function zoomInTo(page: Page, zoom: number): Promise<void> {
  for (let i = 0; i < 30 && (await zoomShown(page)) < zoom; i++) {
    await page.getByTestId("zoom-in").click();
    await page.waitForTimeout(200);
  }
}

/**
 * The element `testId` is inside the canvas with `margin` px to spare at the top and left and `far` px
 * at the bottom and right (room for a drag): the mouse can reach it.
 */
export async function onScreen(page: Page, testId: string, margin = 20, far = margin): Promise<boolean> {
  const canvas = await page.getByTestId("flow-canvas").boundingBox();
  const box = await page.getByTestId(testId).boundingBox();
  if (!canvas || !box) return false;
  return (
    box.x > canvas.x + margin &&
    box.y > canvas.y + margin &&
    box.x + box.width < canvas.x + canvas.width - far &&
    box.y + box.height < canvas.y + canvas.height - far
  );
}

/** Where a node is on the canvas (flow coordinates), from React Flow's transform of its element. */
export async function nodeAt(page: Page, id: string): Promise<Point> {
  const transform = await page
    .locator(`.react-flow__node[data-id="${id}"]`)
    .evaluate((el) => (el as HTMLElement).style.transform);
  const [x, y] = (transform.match(/-?[\d.]+/g) ?? []).map(Number);
  return { x: x!, y: y! };
}

/**
 * Presses on a node's element (near its top, on the title), moves the mouse there by `by` in ten steps
 * and leaves it pressed: a drag in progress. Answers where the press was (screen pixels).
 */
export async function pressAndMove(page: Page, id: string, by: Point): Promise<Point> {
  const box = await page.getByTestId(`flow-node-${id}`).boundingBox();
  if (!box) throw new Error(`${id} is not drawn`);
  const from = { x: box.x + box.width / 2, y: box.y + Math.min(12, box.height / 2) };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(from.x + (by.x * i) / 10, from.y + (by.y * i) / 10);
  return from;
}
