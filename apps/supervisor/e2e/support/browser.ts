// The shared Chromium launcher, tablet-sized for the dashboard by default.
import { type BrowserSession, openBrowser as open } from "@bms/test-support";

export { type BrowserSession, CHROMIUM_PATH } from "@bms/test-support";
export type { Page } from "playwright-core";

export function openBrowser(options: { width?: number; height?: number } = {}): Promise<BrowserSession> {
  return open({ width: options.width ?? 1280, height: options.height ?? 860 });
}
