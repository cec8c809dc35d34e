import type { Locator, Page } from "playwright-core";

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  await locator.waitFor({ state: "visible" });
  const box = await locator.boundingBox();
  if (!box) throw new Error("element has no box (not rendered?)");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a palette entry onto the canvas with the mouse; `at` is relative to the canvas' top-left. */
export async function dragFromPalette(page: Page, type: string, at: { x: number; y: number }): Promise<void> {
  await page
    .getByTestId(`palette-item-${type}`)
    .dragTo(page.getByTestId("flow-canvas"), { targetPosition: at });
}

/** Presses on an output handle, drags to an input handle and releases, as a user wires two ports. */
export async function connectPorts(
  page: Page,
  from: { node: string; port: string },
  to: { node: string; port: string },
): Promise<void> {
  const start = await centre(page.getByTestId(`handle-${from.node}-out-${from.port}`));
  const end = await centre(page.getByTestId(`handle-${to.node}-in-${to.port}`));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 8 });
  await page.mouse.move(end.x, end.y, { steps: 8 });
  await page.mouse.up();
}

export async function selectNode(page: Page, nodeId: string): Promise<void> {
  await page.getByTestId(`node-title-${nodeId}`).click();
  await page.locator(`[data-testid="inspector"][data-node-id="${nodeId}"]`).waitFor();
}

/** Replaces a generated form field's text, as typing would. */
export async function fillField(page: Page, key: string, value: string): Promise<void> {
  const field = page.getByTestId(`field-${key}`);
  const tag = await field.evaluate((el) => el.tagName);
  if (tag === "SELECT") await field.selectOption(value);
  else await field.fill(value);
}

export async function edgeCount(page: Page): Promise<number> {
  return page.locator(".react-flow__edge").count();
}

export function nodeIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid^="flow-node-"]')
    .evaluateAll((els) => els.map((el) => (el.getAttribute("data-testid") ?? "").replace("flow-node-", "")));
}
