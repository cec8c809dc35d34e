import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@bms/test-support";
import type { Page } from "playwright-core";

const DIR = join(REPO_ROOT, "docs", "screenshots");

/** Saves the page as docs/screenshots/dashboard-<name>.png: the committed pictures of each view. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  await page.screenshot({ path: join(DIR, `dashboard-${name}.png`), fullPage: true });
}
