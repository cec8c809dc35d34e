// The shared Chromium launcher, signed in to the Designer this test file started (if any), so browser
// tests written before the Designer had accounts keep opening a ready editor.
import { type BrowserSession, openBrowser as openChromium } from "@bms/test-support";
import { latestDesigner, signInBrowser } from "./designer";

export { type BrowserSession, CHROMIUM_PATH } from "@bms/test-support";
export type { Browser, Page } from "playwright-core";

export async function openBrowser(
  options: Parameters<typeof openChromium>[0] & { signedIn?: boolean } = {},
): Promise<BrowserSession> {
  const { signedIn = true, ...rest } = options;
  const session = await openChromium(rest);
  const designer = latestDesigner();
  if (signedIn && designer?.session) await signInBrowser(session.context, designer.url);
  return session;
}
