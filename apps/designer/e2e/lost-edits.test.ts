import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "./support/browser";
import { dragFromPalette, nodeIds } from "./support/canvas";
import { createProjectInUi } from "./support/projects";
import { documentScreenshot } from "./support/screenshots";
import { type DesignerStack, startDesignerStack } from "./support/stack";

// Own loopback address and ports: no other test file uses them.
const SIM_BIND = "127.0.12.2";
const SIM_PORT = 47873;
const SUP_PORT = 47874;

/**
 * The Designer's API called from inside the page, as the editor calls it: same origin, same
 * session cookie, and the CSRF token echoed if the layout renders one, so the calls stay the
 * editor's own whatever sign-in the Designer asks for.
 */
async function api<T = unknown>(
  page: Page,
  url: string,
  options: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ url, method, body }) => {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers["content-type"] = "application/json";
      const csrf = document.querySelector('meta[name="bms-csrf-token"]')?.getAttribute("content");
      if (csrf && method !== "GET") headers["x-csrf-token"] = csrf;
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    },
    { url, method: options.method ?? (options.body === undefined ? "GET" : "POST"), body: options.body },
  ) as Promise<{ status: number; body: T }>;
}

const savedVersion = (page: Page) => page.getByTestId("save-status").getAttribute("data-version");
const isDirty = (page: Page) => page.getByTestId("save-status").getAttribute("data-dirty");
const sorted = async (page: Page) => (await nodeIds(page)).sort();

async function save(page: Page, expected: number): Promise<void> {
  await page.getByTestId("save-button").click();
  await expect.poll(() => savedVersion(page)).toBe(String(expected));
  await expect.poll(() => isDirty(page)).toBe("false");
}

/**
 * Issue 11's worst finding, step by step as it was reported, and the same project open in two tabs:
 * a save that would overwrite a version it never saw is refused, and every way out keeps history.
 */
describe("no sequence of clicks loses a saved edit", () => {
  let stack: DesignerStack;
  const page = () => stack.browser.page;

  beforeAll(async () => {
    stack = await startDesignerStack({ simBind: SIM_BIND, simPort: SIM_PORT, supervisorPort: SUP_PORT });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const versionNodes = async (projectId: string, version: number) => {
    const r = await api<{
      version: { document: { flows: { configuration: { nodes: { id: string }[] } }[] } };
    }>(page(), `${stack.designer.url}/api/projects/${projectId}/versions/${version}`);
    return r.body.version.document.flows[0]!.configuration.nodes.map((n) => n.id).sort();
  };

  it("editor → Deploy page → deploy → ← project shows the newest version, and the next save builds on it", async () => {
    const projectId = await createProjectInUi(page(), stack.designer.url, "Lost edits");
    await dragFromPalette(page(), "constant", { x: 160, y: 120 });
    await save(page(), 2);
    await dragFromPalette(page(), "constant", { x: 160, y: 300 });
    await save(page(), 3);

    await page().getByTestId("deploy-page-link").click();
    await page().waitForURL(/\/deploy$/);
    await expect.poll(() => page().getByTestId("deploy-version").inputValue()).toBe("3");
    await page().getByTestId("deploy-page-button").click();
    const outcome = page().getByTestId("deploy-outcome-default");
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.getAttribute("data-ok"), (await outcome.textContent()) ?? "").toBe("true");

    await page().getByTestId("back-to-project").click();
    await page().waitForURL(new RegExp(`/projects/${projectId}$`));
    await page().getByTestId("flow-canvas").waitFor();
    expect(await savedVersion(page())).toBe("3");
    expect(await sorted(page())).toEqual(["constant_1", "constant_2"]);

    await dragFromPalette(page(), "constant", { x: 460, y: 120 });
    await save(page(), 4);
    expect(await versionNodes(projectId, 4)).toEqual(["constant_1", "constant_2", "constant_3"]);

    // The browser's Back and Forward restore pages from the same router cache: still the newest.
    await page().goBack();
    await page().waitForURL(/\/deploy$/);
    await page().goForward();
    await page().waitForURL(new RegExp(`/projects/${projectId}$`));
    await page().getByTestId("flow-canvas").waitFor();
    expect(await savedVersion(page())).toBe("4");
    expect(await sorted(page())).toEqual(["constant_1", "constant_2", "constant_3"]);

    // An edit not yet saved nor autosaved, and straight to the Deploy page and back: still there.
    await dragFromPalette(page(), "constant", { x: 760, y: 120 });
    await page().getByTestId("deploy-page-link").click();
    await page().waitForURL(/\/deploy$/);
    await page().getByTestId("back-to-project").click();
    await page().getByTestId("draft-restored").waitFor();
    expect(await sorted(page())).toEqual(["constant_1", "constant_2", "constant_3", "constant_4"]);
    expect(await isDirty(page())).toBe("true");
    await save(page(), 5);
  });

  it("keeps the canvas clear: a success banner times out, an error stays; selecting a node shows its properties", async () => {
    // A threshold without its input blocks the deploy: an error. Then a save: a success.
    await dragFromPalette(page(), "threshold", { x: 460, y: 300 });
    await page().getByTestId("deploy-button").click();
    const blocked = page().getByTestId("notice-deploy");
    await blocked.waitFor();
    expect(await blocked.textContent()).toMatch(/Deploy blocked/);
    await save(page(), 6);
    const saved = page().getByTestId("notice-save");
    await saved.waitFor();
    expect(await saved.textContent()).toMatch(/Saved as version 6/);
    await expect.poll(() => saved.count(), { timeout: 12_000 }).toBe(0);
    expect(await blocked.count()).toBe(1);
    await blocked.getByRole("button", { name: "Dismiss" }).click();
    expect(await blocked.count()).toBe(0);

    // The side panel follows the selection: from Versions back to Properties on a node click.
    await page().getByTestId("side-tab-versions").click();
    await page().getByTestId("versions-panel").waitFor();
    await page().getByTestId("node-title-threshold_1").click();
    await page().locator('[data-testid="inspector"][data-node-id="threshold_1"]').waitFor();
    expect(await page().getByTestId("side-tab-properties").getAttribute("aria-selected")).toBe("true");
  });

  it("two tabs on one project: the second save meets the conflict, and each way out keeps every version", async () => {
    const a = page();
    const projectId = await createProjectInUi(a, stack.designer.url, "Two tabs");
    await dragFromPalette(a, "constant", { x: 160, y: 120 });
    await save(a, 2);
    const b = await stack.browser.context.newPage();
    try {
      await b.goto(`${stack.designer.url}/projects/${projectId}`);
      await b.getByTestId("flow-node-constant_1").waitFor();
      expect(await savedVersion(b)).toBe("2");

      // A saves v3; B, still on v2, adds its own node and saves. (A user switches tabs to work in
      // one: the tab in front is the one that gets the clicks.)
      await a.bringToFront();
      await dragFromPalette(a, "constant", { x: 160, y: 300 });
      await save(a, 3);
      expect(await versionNodes(projectId, 3)).toEqual(["constant_1", "constant_2"]);
      await b.bringToFront();
      await dragFromPalette(b, "parameter", { x: 460, y: 120 });
      await b.getByTestId("save-button").click();
      const conflict = b.getByTestId("version-conflict");
      await conflict.waitFor();
      expect(await conflict.getAttribute("data-latest-version")).toBe("3");
      expect(await conflict.textContent()).toMatch(/Version 3 was saved after v2/);
      await documentScreenshot(b, "version-conflict");
      expect(await savedVersion(b)).toBe("2");
      expect(await isDirty(b)).toBe("true");
      expect(
        (
          await api<{ versions: unknown[] }>(
            page(),
            `${stack.designer.url}/api/projects/${projectId}/versions`,
          )
        ).body.versions,
      ).toHaveLength(3);

      // Compare: the newest version against B's working copy, drawn on B's canvas.
      await b.getByTestId("conflict-compare").click();
      await b.getByTestId("comparison-banner").waitFor();
      expect(await b.getByTestId("comparison-banner").textContent()).toMatch(
        /v3 \(latest\) → your working copy/,
      );
      const diffOf = (id: string) => b.getByTestId(`flow-node-${id}`).getAttribute("data-diff");
      expect(await diffOf("parameter_1")).toBe("added");
      expect(await diffOf("constant_2")).toBe("removed");
      expect(await diffOf("constant_1")).toBe("");
      await b.getByTestId("conflict-compare").click();
      await expect.poll(() => b.getByTestId("comparison-banner").count()).toBe(0);
      expect(await sorted(b)).toEqual(["constant_1", "parameter_1"]);

      // Save as a new version on top: B's canvas becomes v4; A's v3 stays in the history.
      await b.getByTestId("conflict-save-on-top").click();
      await expect.poll(() => savedVersion(b)).toBe("4");
      await expect.poll(() => conflict.count()).toBe(0);
      expect(await isDirty(b)).toBe("false");
      expect(await versionNodes(projectId, 4)).toEqual(["constant_1", "parameter_1"]);
      expect(await versionNodes(projectId, 3)).toEqual(["constant_1", "constant_2"]);

      // Reload: A, still on v3, edits and saves; it is refused, and A takes v4 instead.
      await a.bringToFront();
      await dragFromPalette(a, "constant", { x: 460, y: 300 });
      await a.getByTestId("save-button").click();
      await a.getByTestId("version-conflict").waitFor();
      expect(await a.getByTestId("version-conflict").getAttribute("data-latest-version")).toBe("4");
      await a.getByTestId("conflict-reload").click();
      await expect.poll(() => savedVersion(a)).toBe("4");
      await expect.poll(() => a.getByTestId("version-conflict").count()).toBe(0);
      expect(await sorted(a)).toEqual(["constant_1", "parameter_1"]);
      expect(await isDirty(a)).toBe("false");

      // Drafts too: A edits (autosaved on v4), B saves v5, and A's next autosave meets the conflict
      // on its own, before A ever presses Save.
      await dragFromPalette(a, "constant", { x: 160, y: 460 });
      await a.getByTestId("autosave-status").waitFor({ timeout: 10_000 });
      await b.bringToFront();
      await dragFromPalette(b, "constant", { x: 460, y: 460 });
      await save(b, 5);
      await a.bringToFront();
      await dragFromPalette(a, "constant", { x: 760, y: 460 });
      await a.getByTestId("version-conflict").waitFor({ timeout: 10_000 });
      expect(await a.getByTestId("version-conflict").getAttribute("data-latest-version")).toBe("5");
      // A's edits are still on its canvas, and nothing of B's was touched.
      expect(await sorted(a)).toEqual(["constant_1", "constant_2", "constant_3", "parameter_1"]);
      expect(await versionNodes(projectId, 5)).toEqual(["constant_1", "constant_2", "parameter_1"]);
      await a.getByTestId("conflict-save-on-top").click();
      await expect.poll(() => savedVersion(a)).toBe("6");
      expect(await versionNodes(projectId, 6)).toEqual([
        "constant_1",
        "constant_2",
        "constant_3",
        "parameter_1",
      ]);
    } finally {
      await b.close();
    }
  });

  it("answers a stale save, draft or restore over HTTP with 409 and the newest version, and a save without a base with 422", async () => {
    const p = page();
    await p.goto(stack.designer.url);
    const url = (path: string) => `${stack.designer.url}${path}`;
    const created = await api<{ project: { id: string } }>(p, url("/api/projects"), {
      body: { name: "HTTP" },
    });
    const id = created.body.project.id;
    const opened = await api<{ document: { base_version: number; document: unknown } }>(
      p,
      url(`/api/projects/${id}/document`),
    );
    const { document, base_version } = opened.body.document;
    expect(base_version).toBe(1);
    const first = await api(p, url(`/api/projects/${id}/versions`), {
      body: { base_version: 1, document },
    });
    expect(first.status).toBe(201);

    const stale = await api(p, url(`/api/projects/${id}/versions`), {
      body: { base_version: 1, document },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: "version_conflict", latest_version: 2 });
    const draft = await api(p, url(`/api/projects/${id}/draft`), {
      method: "PUT",
      body: { base_version: 1, document },
    });
    expect(draft.status).toBe(409);
    expect(draft.body).toMatchObject({ code: "version_conflict", latest_version: 2 });
    const restore = await api(p, url(`/api/projects/${id}/versions/1/restore`), {
      body: { base_version: 1 },
    });
    expect(restore.status).toBe(409);

    const blind = await api<{ errors: { path: string }[] }>(p, url(`/api/projects/${id}/versions`), {
      body: { document },
    });
    expect(blind.status).toBe(422);
    expect(blind.body.errors.map((e) => e.path)).toContain("base_version");
    const versions = await api<{ versions: unknown[] }>(p, url(`/api/projects/${id}/versions`));
    expect(versions.body.versions).toHaveLength(2);
  });
});
