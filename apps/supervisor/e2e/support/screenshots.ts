import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@bms/test-support";
import type { Page } from "playwright-core";

const DIR = join(REPO_ROOT, "docs", "screenshots");

/**
 * With BMS_SCREENSHOTS=1, saves the page as docs/screenshots/dashboard-<name>.png (the committed
 * pictures of each view); a normal test run leaves the working tree untouched.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.BMS_SCREENSHOTS) return;
  mkdirSync(DIR, { recursive: true });
  await page.screenshot({ path: join(DIR, `dashboard-${name}.png`), fullPage: true });
}
