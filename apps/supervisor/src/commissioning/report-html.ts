import type { CommissioningReport, Stats, Verdict } from "./report-types";

/**
 * The commissioning report as one self-contained HTML page (inline CSS, no script, no remote resource),
 * laid out for A4 so Chromium prints the same page to PDF. Every value from the field or from people
 * is escaped: a point name or a note can never become markup.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const e = escapeHtml;
const show = (v: unknown) =>
  v === null || v === undefined ? "–" : Array.isArray(v) ? `[${v.length} values]` : String(v);
const ms = (n: number | null) => (n === null ? "–" : `${n} ms`);
const statsCell = (s: Stats) => (s.count === 0 ? "–" : `${ms(s.min_ms)} / ${ms(s.avg_ms)} / ${ms(s.max_ms)}`);
const verdictCell = (v: Verdict) => `<td class="v ${v}">${v.toUpperCase()}</td>`;

function table(caption: string, id: string, head: string[], rows: string[][]): string {
  if (rows.length === 0) return `<h2 id="${id}">${e(caption)}</h2><p class="none">Nothing to check.</p>`;
  return `<h2 id="${id}">${e(caption)}</h2>
<table class="${id}"><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.join("")}</tr>`).join("\n")}</tbody></table>`;
}

const td = (v: unknown, cls = "") => `<td${cls ? ` class="${cls}"` : ""}>${e(show(v))}</td>`;

/**
 * The supervisor's signature under the people's: the key fingerprint a customer compares, the signature
 * itself, and how to check it. A report without one says so rather than showing a bare digest.
 */
function sealBlock(r: CommissioningReport): string {
  const s = r.signature;
  if (!s)
    return `<section class="seal" id="seal"><p><strong>Supervisor signature:</strong> unsigned (made before signatures).</p>
<p>Digest (SHA-256, not a signature): <span class="mono">${e(r.digest ?? "–")}</span></p></section>`;
  return `<section class="seal" id="seal">
<p><strong>Signed by the supervisor</strong> (${e(s.algorithm)}), signing key fingerprint SHA-256:<br><span class="mono" data-fingerprint>${e(s.fingerprint)}</span></p>
<p>Signature: <span class="mono">${e(s.value)}</span><br>Digest of the signed content (SHA-256): <span class="mono">${e(r.digest ?? "–")}</span></p>
<p>To check it, download the report's JSON and run <span class="mono">bms-supervisor verify-report ${e(r.id)}.json --fingerprint ${e(s.fingerprint)}</span>, having compared that fingerprint with the one the supervisor shows (Commissioning view, or GET /api/commissioning/signing-key).</p>
</section>`;
}

export function renderReportHtml(r: CommissioningReport): string {
  const sections: string[] = [];
  if (r.checkout)
    sections.push(
      table(
        "Point checkout",
        "points",
        ["Point", "Device", "Value", "Units", "Quality", "Response", "Write test", "Result", "Detail"],
        r.checkout.map((l) => [
          td(l.point, "mono"),
          td(l.device),
          td(l.value, "num"),
          td(l.units),
          td(l.quality),
          td(`${l.response_ms} ms`, "num"),
          td(
            l.write_test
              ? `@${l.write_test.priority}: ${show(l.write_test.test_value)} → ${show(l.write_test.after_write)} → ${show(l.write_test.after_release)}`
              : l.commanded
                ? "not run"
                : "read only",
          ),
          verdictCell(l.verdict),
          td(l.detail, "detail"),
        ]),
      ),
    );
  if (r.alarms)
    sections.push(
      table(
        "Alarm verification",
        "alarms",
        ["Flow", "Alarm", "Priority", "Raised", "Notified", "Cleared", "Result", "Detail"],
        r.alarms.map((l) => [
          td(l.flow_name),
          td(`${l.label} (${l.node_id})`),
          td(l.priority),
          td(l.raised ? ms(l.raised_ms) : "no"),
          td(l.notified),
          td(l.cleared ? ms(l.cleared_ms) : "no"),
          verdictCell(l.verdict),
          td(l.detail, "detail"),
        ]),
      ),
    );
  if (r.baseline) {
    const b = r.baseline;
    sections.push(
      `<h2 id="baseline">Performance baseline</h2><p>Window ${e(b.window_s)} s, ${e(b.started_at)} to ${e(b.ended_at)}; ${e(b.logged_errors)} errors logged.</p>`,
      table(
        "Scan times (min / avg / max)",
        "scans",
        ["Flow", "Interval", "Scans", "Scan time", "Result", "Detail"],
        b.flows.map((l) => [
          td(l.flow_name),
          td(l.interval_ms === null ? "on change" : `${l.interval_ms} ms`),
          td(l.scans, "num"),
          td(statsCell(l.scan)),
          verdictCell(l.verdict),
          td(l.detail, "detail"),
        ]),
      ),
      table(
        "Poll times per device (min / avg / max)",
        "polls",
        ["Device", "Points", "Poll time", "Bad readings", "Result", "Detail"],
        b.devices.map((l) => [
          td(l.device),
          td(l.points, "num"),
          td(statsCell(l.poll)),
          td(l.bad_reads, "num"),
          verdictCell(l.verdict),
          td(l.detail, "detail"),
        ]),
      ),
      table(
        "Request errors over the window",
        "requests",
        ["Protocol", "Requests", "Errors", "Timeouts", "Retries"],
        b.request_errors.map((c) => [
          td(c.protocol),
          td(c.requests, "num"),
          td(c.errors, "num"),
          td(c.timeouts, "num"),
          td(c.retries, "num"),
        ]),
      ),
    );
  }
  if (r.devices)
    sections.push(
      table(
        "Device communication",
        "devices",
        [
          "Device",
          "Name",
          "Address",
          "Response (min / avg / max)",
          "Timeouts",
          "Errors",
          "Retries",
          "Segmentation",
          "Max APDU",
          "Result",
          "Detail",
        ],
        r.devices.map((l) => [
          td(l.device),
          td(l.name),
          td(l.address, "mono"),
          td(statsCell(l.response)),
          td(`${l.timeouts} / ${l.samples}`, "num"),
          td(l.errors, "num"),
          td(l.retries, "num"),
          td(l.segmentation),
          td(l.max_apdu, "num"),
          verdictCell(l.verdict),
          td(l.detail, "detail"),
        ]),
      ),
    );
  const s = r.summary;
  const overall: Verdict = s.fail > 0 ? "fail" : r.status === "cancelled" ? "skipped" : "pass";
  // A cancelled run passed nothing as a whole, whatever its lines did.
  const verdictLabel = r.status === "cancelled" && s.fail === 0 ? "CANCELLED" : overall.toUpperCase();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Commissioning report ${e(r.site)} ${e(r.id)}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { font: 10pt/1.35 "DejaVu Sans", system-ui, sans-serif; color: #111; margin: 0 auto; max-width: 277mm; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8e8e8; } .num { text-align: right; } .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
.detail { font-size: 8.5pt; } .v { font-weight: bold; } .pass { color: #0a6b0a; } .fail { color: #b00000; } .skipped { color: #666; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1pt 10pt; margin: 6pt 0; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 24pt; margin-top: 28pt; page-break-inside: avoid; }
.signatures div { border-top: 1px solid #111; padding-top: 3pt; min-height: 30pt; }
.seal { font-size: 8.5pt; color: #333; margin-top: 10pt; page-break-inside: avoid; }
.seal .mono { word-break: break-all; }
</style></head><body>
<h1>Commissioning report: ${e(r.site)}</h1>
<dl class="meta">
<dt>Site</dt><dd>${e(r.site)}</dd><dt>Report</dt><dd class="mono">${e(r.id)}</dd>
<dt>Project version</dt><dd>${e(r.project_version ?? "–")}${r.config_version === null ? "" : ` (deployed config v${e(r.config_version)})`}</dd><dt>Supervisor</dt><dd>${e(r.supervisor_version)}</dd>
<dt>Commissioned by</dt><dd>${e(r.person)}</dd><dt>Run by (account)</dt><dd>${e(r.started_by)}</dd>
<dt>Started</dt><dd>${e(r.started_at)}</dd><dt>Finished</dt><dd>${e(r.finished_at ?? "running")}</dd>
<dt>Result</dt><dd class="v ${overall}">${verdictLabel}: ${e(s.pass)} passed, ${e(s.fail)} failed, ${e(s.skipped)} skipped</dd><dt>Status</dt><dd>${e(r.status)}${r.cancelled_by ? ` by ${e(r.cancelled_by)}: the lines below were done before it stopped` : ""}${r.error ? `: ${e(r.error)}` : ""}</dd>
</dl>
${r.notes ? `<p><strong>Notes:</strong> ${e(r.notes)}</p>` : ""}
${sections.join("\n")}
<section class="signatures">
<div>Commissioning engineer: ${e(r.person)}<br>Signature and date</div>
<div>Customer representative: name, signature and date</div>
</section>
${sealBlock(r)}
</body></html>
`;
}
