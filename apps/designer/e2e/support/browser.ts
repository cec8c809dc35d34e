// The shared Chromium launcher, under the name these tests import.
export { type BrowserSession, CHROMIUM_PATH, openBrowser } from "@bms/test-support";
export type { Browser, Page } from "playwright-core";
