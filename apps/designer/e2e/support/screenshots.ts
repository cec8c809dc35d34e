import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@bms/test-support";
import type { Page } from "playwright-core";

/**
 * With BMS_SCREENSHOTS=1 the browser tests refresh docs/screenshots/ from the states they reach;
 * otherwise they leave the work tree alone.
 */
export async function documentScreenshot(page: Page, name: string): Promise<void> {
  if (!process.env.BMS_SCREENSHOTS) return;
  const dir = join(REPO_ROOT, "docs", "screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
