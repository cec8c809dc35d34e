import { shortFingerprint } from "@bms/security/fingerprint";
import { useState } from "preact/hooks";
import { apiGet, apiSend } from "../api/client";
import { ActionButton } from "../components/action-button";
import { Card, Pill } from "../components/status";
import { usePoll } from "../use-poll";

interface ReportSummary {
  id: string;
  status: "running" | "done" | "failed" | "cancelled";
  site: string;
  project_version: string | null;
  person: string;
  started_at: string;
  finished_at: string | null;
  summary: { pass: number; fail: number; skipped: number };
  pdf: boolean;
  /** The fingerprint the report's signature names; null for a report made before signatures. */
  signed_by: string | null;
  /** This supervisor's verdict on the stored signature (commissioning/report-store.ts). */
  signature_check: "valid" | "other_key" | "bad_signature" | "unsigned";
}

const base = (id: string) => `/api/commissioning/runs/${encodeURIComponent(id)}`;

/**
 * Commissioning (issue 16): start a run (read checkout, optional write test of every commanded point at a
 * chosen priority, alarm verification, baseline, device check) and download the stored reports. The write
 * test commands real equipment, so it is off until the person ticks the confirmation and the browser
 * asks once more; the supervisor refuses a priority a flow commands. A running run can be cancelled: it
 * stops between points, relinquishes its write test, and its report says cancelled. Reports are signed
 * with the supervisor's key: the card shows its fingerprint, which a customer compares with the report's.
 */
export function Commissioning() {
  const reports = usePoll(
    () => apiGet<{ running: string | null; reports: ReportSummary[] }>("/api/commissioning/runs"),
    3000,
  );
  const signingKey = usePoll(
    () => apiGet<{ fingerprint: string }>("/api/commissioning/signing-key"),
    600_000,
  );
  const [person, setPerson] = useState("");
  const [writeTest, setWriteTest] = useState(false);
  const [priority, setPriority] = useState(10);
  const [alarms, setAlarms] = useState(true);
  const [baseline, setBaseline] = useState(true);
  const [windowS, setWindowS] = useState(60);
  const [devices, setDevices] = useState(true);
  const start = () =>
    apiSend("POST", "/api/commissioning/runs", {
      person,
      checkout: writeTest ? { write_test: { priority, confirm: "all" } } : {},
      ...(alarms ? { alarms: {} } : {}),
      ...(baseline ? { baseline: { window_s: windowS } } : {}),
      ...(devices ? { devices: {} } : {}),
    });
  return (
    <div class="grid" data-testid="view-commissioning">
      <Card title="New commissioning run" testId="commissioning-start" wide>
        <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
          <label class="small">
            Commissioning engineer
            <input
              value={person}
              data-testid="commissioning-person"
              onInput={(e) => setPerson(e.currentTarget.value)}
            />
          </label>
          <label class="small">
            <input type="checkbox" checked={alarms} onChange={(e) => setAlarms(e.currentTarget.checked)} />{" "}
            Alarm verification
          </label>
          <label class="small">
            <input type="checkbox" checked={devices} onChange={(e) => setDevices(e.currentTarget.checked)} />{" "}
            Device communication
          </label>
          <label class="small">
            <input
              type="checkbox"
              checked={baseline}
              onChange={(e) => setBaseline(e.currentTarget.checked)}
            />{" "}
            Baseline over{" "}
            <input
              type="number"
              min={1}
              max={3600}
              value={windowS}
              data-testid="commissioning-window"
              onInput={(e) => setWindowS(Number(e.currentTarget.value))}
            />{" "}
            s
          </label>
          <label class="small">
            <input
              type="checkbox"
              checked={writeTest}
              data-testid="commissioning-write-test"
              onChange={(e) => setWriteTest(e.currentTarget.checked)}
            />{" "}
            Write test every commanded point at priority{" "}
            <input
              type="number"
              min={6}
              max={16}
              value={priority}
              onInput={(e) => setPriority(Number(e.currentTarget.value))}
            />
          </label>
          <ActionButton
            kind="primary"
            testId="commissioning-run"
            disabled={!person.trim() || Boolean(reports.data?.running)}
            run={start}
            onDone={() => reports.refresh()}
            {...(writeTest
              ? {
                  confirm: `Write a test value to every point the flows command, at priority ${priority}, then relinquish it? Equipment may move.`,
                }
              : {})}
          >
            Run checks
          </ActionButton>
        </form>
        <p class="muted small">
          Every run reads every point the site uses. Reports are stored on this supervisor and printed to PDF
          on first download.
        </p>
      </Card>
      <Card title="Commissioning reports" testId="commissioning-reports" wide>
        {signingKey.data ? (
          <p class="small">
            Reports are signed by this supervisor's key, fingerprint SHA-256{" "}
            <code data-testid="commissioning-key-fingerprint">{signingKey.data.fingerprint}</code>. Give it to
            the customer with the report: <code>bms-supervisor verify-report</code> checks a report's JSON
            against it.
          </p>
        ) : null}
        <table class="table" data-testid="commissioning-table">
          <thead>
            <tr>
              <th>Started</th>
              <th>Site</th>
              <th>Engineer</th>
              <th>Status</th>
              <th>Result</th>
              <th>Signature</th>
              <th>Report</th>
            </tr>
          </thead>
          <tbody>
            {(reports.data?.reports ?? []).map((r) => (
              <tr key={r.id} data-testid="commissioning-row">
                <td>{new Date(r.started_at).toLocaleString()}</td>
                <td>
                  {r.site}
                  {r.project_version ? <span class="muted"> v{r.project_version}</span> : null}
                </td>
                <td>{r.person}</td>
                <td>
                  <Pill tone={r.status === "done" ? "ok" : r.status === "failed" ? "bad" : "idle"}>
                    {r.status}
                  </Pill>
                </td>
                <td>
                  {r.status === "running" ? (
                    "…"
                  ) : (
                    <Pill tone={r.summary.fail > 0 ? "bad" : r.status === "cancelled" ? "idle" : "ok"}>
                      {r.summary.pass} passed, {r.summary.fail} failed, {r.summary.skipped} skipped
                    </Pill>
                  )}
                </td>
                <td data-testid="commissioning-signature">
                  {r.status === "running" ? (
                    "…"
                  ) : r.signature_check === "bad_signature" ? (
                    <Pill tone="bad">signature does not verify</Pill>
                  ) : r.signed_by ? (
                    <span title={r.signed_by} class="mono small">
                      signed {shortFingerprint(r.signed_by)}
                      {r.signature_check === "other_key"
                        ? " (an earlier key of this supervisor, or another's)"
                        : ""}
                    </span>
                  ) : (
                    <span class="muted small">unsigned (made before signatures)</span>
                  )}
                </td>
                <td>
                  {r.status === "running" ? (
                    <ActionButton
                      testId="commissioning-cancel"
                      run={() => apiSend("POST", `${base(r.id)}/cancel`, {})}
                      onDone={() => reports.refresh()}
                      confirm="Cancel this commissioning run? It stops after the point in progress and relinquishes its write test."
                    >
                      Cancel run
                    </ActionButton>
                  ) : (
                    <>
                      <a
                        class="btn btn-plain small"
                        href={`${base(r.id)}/report.html`}
                        target="_blank"
                        rel="noopener"
                        data-testid="commissioning-html"
                      >
                        HTML
                      </a>{" "}
                      <a
                        class="btn btn-plain small"
                        href={`${base(r.id)}/report.pdf`}
                        download
                        data-testid="commissioning-pdf"
                      >
                        PDF
                      </a>{" "}
                      <a
                        class="btn btn-plain small"
                        href={`${base(r.id)}/report.json`}
                        download
                        data-testid="commissioning-json"
                      >
                        JSON
                      </a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {reports.data && reports.data.reports.length === 0 ? <p class="muted small">No report yet.</p> : null}
      </Card>
    </div>
  );
}
