import type { Page } from "playwright-core";

export const ZONE_TEMP = "bacnet:1001/analogInput:1.presentValue";
export const COOLING_CMD = "bacnet:1001/binaryOutput:1.presentValue";

/**
 * Opens a view by its hash route, signed in with `token` (or signed out without one), as the operator
 * would on the Access page: the page's own same-origin requests, so the session cookie is real.
 */
export async function openView(page: Page, base: string, view: string, token?: string): Promise<void> {
  if (!page.url().startsWith(base)) await page.goto(`${base}/#/${view}`);
  const status = await page.evaluate(async (t) => {
    const who = (await (await fetch("/api/auth/whoami")).json()) as { csrf_token?: string };
    const json = { "content-type": "application/json" };
    if (who.csrf_token)
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { ...json, "x-csrf-token": who.csrf_token },
        body: "{}",
      });
    if (!t) return 200;
    const login = await fetch("/api/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token: t }),
    });
    return login.status;
  }, token ?? "");
  if (token && status !== 200 && status !== 401) throw new Error(`signing in answered ${status}`);
  await page.goto(`${base}/#/${view}`);
  await page.reload();
  await page.getByTestId(`view-${view}`).waitFor();
}

/** What the History view plotted for one point: the uPlot instance's own data, published on window. */
export interface PlottedChart {
  point: string;
  from: number;
  to: number;
  bucket_ms: number;
  data: (number | null)[][];
}

export function plotted(page: Page, point: string): Promise<PlottedChart | undefined> {
  return page.evaluate(
    (p) =>
      (window as unknown as { bmsDashboard?: { charts: Record<string, PlottedChart> } }).bmsDashboard?.charts[
        p
      ],
    point,
  );
}
