import { rmSync } from "node:fs";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { tempDir } from "./processes";

/** Debian's Chromium: tests and benchmarks never download a browser. */
export const CHROMIUM_PATH = process.env.BMS_CHROMIUM ?? "/usr/bin/chromium";

/** Headless, and quiet on a closed network: without the background flags Chromium keeps dialling out. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh profile per session, so no test sees another's storage, saved token or clipboard fallback. */
export async function openBrowser(
  options: { width?: number; height?: number; extraArgs?: string[] } = {},
): Promise<BrowserSession> {
  const userDataDir = tempDir("chromium-profile");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
