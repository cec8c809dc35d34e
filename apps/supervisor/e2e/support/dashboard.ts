import type { Page } from "playwright-core";

export const ZONE_TEMP = "bacnet:1001/analogInput:1.presentValue";
export const COOLING_CMD = "bacnet:1001/binaryOutput:1.presentValue";

/** Opens a view by its hash route, with `token` saved as the operator would on the Access page. */
export async function openView(page: Page, base: string, view: string, token?: string): Promise<void> {
  if (!page.url().startsWith(base)) await page.goto(`${base}/#/${view}`);
  await page.evaluate((t) => {
    if (t) localStorage.setItem("bms-dashboard-token", t);
    else localStorage.removeItem("bms-dashboard-token");
  }, token ?? "");
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
