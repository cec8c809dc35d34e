import { afterEach, describe, expect, it } from "vitest";
import { reportFixture } from "../../test/report-fixture";
import { counterDelta } from "./counters";
import { byDevice, deviceOf } from "./device-key";
import { PdfError, printPdf } from "./pdf-printer";
import { priorityArrayRef, sameValue } from "./point-checkout";
import { escapeHtml, renderReportHtml } from "./report-html";
import { stats } from "./report-types";

describe("commissioning pieces", () => {
  const saved = process.env.BMS_CHROMIUM;
  afterEach(() => {
    if (saved === undefined) delete process.env.BMS_CHROMIUM;
    else process.env.BMS_CHROMIUM = saved;
  });

  it("fails with pdf_unavailable, not a crash, when there is no Chromium", async () => {
    process.env.BMS_CHROMIUM = "/nonexistent/chromium";
    const error = await printPdf("<p>x</p>").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PdfError);
    expect((error as PdfError).code).toBe("pdf_unavailable");
    expect((error as PdfError).message).toContain("BMS_CHROMIUM");
  });

  it("compares values as devices store them (float32 REAL, binary as 0/1)", () => {
    expect(sameValue(62.099998474121094, 62.1)).toBe(true);
    expect(sameValue(1, true)).toBe(true);
    expect(sameValue(0, false)).toBe(true);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(0, null)).toBe(false);
    expect(sameValue(62, 63)).toBe(false);
  });

  it("names the priority array of a BACnet point and none for other protocols", () => {
    expect(priorityArrayRef("bacnet:3001/analogOutput:2")).toBe("bacnet:3001/analogOutput:2.priorityArray");
    expect(priorityArrayRef("bacnet:3001/analogOutput:2.presentValue")).toBe(
      "bacnet:3001/analogOutput:2.priorityArray",
    );
    expect(priorityArrayRef("modbus:10.0.0.5:502:1/holding_register:40001")).toBeUndefined();
  });

  it("groups points by device", () => {
    expect(deviceOf("bacnet:3001/analogInput:1")).toBe("bacnet:3001");
    expect(deviceOf("modbus:10.0.0.5:502:1/holding_register:40001")).toBe("modbus:10.0.0.5:502/unit 1");
    const groups = byDevice([
      "bacnet:3001/analogInput:1",
      "bacnet:2002/binaryValue:1",
      "bacnet:3001/analogOutput:2",
    ]);
    expect([...groups.keys()]).toEqual(["bacnet:3001", "bacnet:2002"]);
    expect(groups.get("bacnet:3001")).toHaveLength(2);
  });

  it("takes counter differences, keeping uncounted figures null", () => {
    const before = [{ protocol: "bacnet", requests: 10, errors: 1, timeouts: 1, retries: 2 }];
    const after = [
      { protocol: "bacnet", requests: 25, errors: 1, timeouts: 1, retries: 5 },
      { protocol: "mqtt", requests: null, errors: 3, timeouts: null, retries: null },
    ];
    expect(counterDelta(before, after)).toEqual([
      { protocol: "bacnet", requests: 15, errors: 0, timeouts: 0, retries: 3 },
      { protocol: "mqtt", requests: null, errors: 3, timeouts: null, retries: null },
    ]);
    expect(stats([])).toEqual({ count: 0, min_ms: null, avg_ms: null, max_ms: null });
    expect(stats([1, 2, 6])).toEqual({ count: 3, min_ms: 1, avg_ms: 3, max_ms: 6 });
  });

  it("escapes every value from people and the field in the HTML report", () => {
    expect(escapeHtml(`<script>"x"&'y'</script>`)).toBe(
      "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;",
    );
    const report = reportFixture({
      site: "<img src=x onerror=alert(1)>",
      notes: "</p><script>alert(1)</script>",
      summary: { pass: 1, fail: 0, skipped: 0 },
    });
    const html = renderReportHtml(report);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("bacnet:3001/analogInput:1.presentValue");
    expect(html).toContain("PASS: 1 passed, 0 failed, 0 skipped");
    expect(html).toContain("Customer representative");
  });
});
