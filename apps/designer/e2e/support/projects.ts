import type { Page } from "playwright-core";

/** Creates a project from the projects list, as a user does, and waits for its editor. */
export async function createProjectInUi(page: Page, baseUrl: string, name: string): Promise<string> {
  await page.goto(baseUrl);
  await page.getByTestId("new-project-name").fill(name);
  await page.getByTestId("create-project").click();
  await page.waitForURL(/\/projects\/[0-9a-f-]+$/);
  await page.getByTestId("flow-canvas").waitFor();
  return page.url().split("/").pop()!;
}

/** The canvas as the user sees it: node ids with their positions, and the edges. */
export async function canvasSnapshot(page: Page): Promise<{ nodes: string[]; edges: string[] }> {
  const nodes = await page
    .locator(".react-flow__node")
    .evaluateAll((els) =>
      els.map((el) => `${el.getAttribute("data-id")}@${(el as HTMLElement).style.transform}`).sort(),
    );
  const edges = await page
    .locator(".react-flow__edge")
    .evaluateAll((els) => els.map((el) => el.getAttribute("data-id") ?? "").sort());
  return { nodes, edges };
}
