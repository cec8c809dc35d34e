"use client";

import { FileDown } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import type { SupervisorEntry } from "../../lib/api-types";
import { runtimeCall } from "../../lib/designer-api";
import {
  type ReportSignatureState,
  reportSignatureState,
  type SignatureCheck,
} from "../../lib/report-signature-state";
import { CommissioningRunPanel } from "./commissioning-run-panel";

interface ReportSummary {
  id: string;
  status: "running" | "done" | "failed" | "cancelled";
  site: string;
  project_version: string | null;
  person: string;
  started_at: string;
  summary: { pass: number; fail: number; skipped: number };
  /** The fingerprint the report's signature names; null for a report made before signatures. */
  signed_by: string | null;
  /** The supervisor's verdict on the signature (absent from supervisors before it verified them). */
  signature_check?: SignatureCheck;
}

/**
 * The commissioning reports a supervisor stores (issue 16), run from here, its dashboard or API, with their
 * HTML, PDF and signed JSON downloaded through the Designer's runtime proxy (the browser never holds the
 * token). Each says whether its signature verified on the supervisor, which key signed it, and whether that
 * is the key pinned for the supervisor in Settings.
 */
export function CommissioningReports({ supervisor }: { supervisor: SupervisorEntry }) {
  const [reports, setReports] = useState<ReportSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const result = await runtimeCall<{ reports: ReportSummary[] }>("commissioning/runs", {
      supervisor: supervisor.id,
      background: true,
    });
    if (result.ok) {
      setReports(result.body.reports);
      setError(null);
    } else setError(result.error);
  }, [supervisor.id]);
  useEffect(() => {
    void load();
  }, [load]);
  const signatures: Record<string, ReportSignatureState> = Object.fromEntries(
    (reports ?? []).map((r) => [
      r.id,
      reportSignatureState(r.signed_by, r.signature_check, supervisor.report_key_fingerprint),
    ]),
  );
  const file = (id: string, ext: "html" | "pdf" | "json") =>
    `/api/runtime/commissioning/runs/${encodeURIComponent(id)}/report.${ext}?supervisor=${encodeURIComponent(supervisor.id)}`;
  return (
    <div className="mt-3 space-y-1 text-xs" data-testid={`commissioning-reports-${supervisor.id}`}>
      <CommissioningRunPanel supervisor={supervisor} onEnded={() => void load()} />
      <p className="font-medium text-slate-800">Commissioning reports</p>
      {error ? <p className="text-red-700">{error}</p> : null}
      <ul>
        {reports?.map((r) => (
          <li
            key={r.id}
            className="flex items-center gap-2 border-t border-slate-100 py-1"
            data-testid="commissioning-report"
          >
            <span className="text-slate-500">{new Date(r.started_at).toLocaleString()}</span>
            <span>{r.site}</span>
            <span className="text-slate-600">{r.person}</span>
            {r.status === "running" ? (
              <span className="text-slate-500">running…</span>
            ) : (
              <>
                <span
                  className={
                    r.summary.fail > 0
                      ? "text-red-700"
                      : r.status === "cancelled"
                        ? "text-slate-500"
                        : "text-emerald-700"
                  }
                >
                  {r.status === "cancelled" ? "cancelled: " : ""}
                  {r.summary.pass} passed, {r.summary.fail} failed, {r.summary.skipped} skipped
                </span>
                <span
                  className={`font-mono ${signatures[r.id]?.kind === "other_key" || signatures[r.id]?.kind === "bad_signature" ? "text-red-700" : signatures[r.id]?.kind === "pinned" ? "text-emerald-700" : "text-slate-500"}`}
                  title={r.signed_by ?? undefined}
                  data-testid="commissioning-report-signature"
                  data-state={signatures[r.id]?.kind}
                >
                  {signatures[r.id]?.text}
                </span>
                <a className="ml-auto underline" href={file(r.id, "html")} target="_blank" rel="noopener">
                  HTML
                </a>
                <a
                  className="inline-flex items-center gap-1 underline"
                  href={file(r.id, "pdf")}
                  download
                  data-testid="commissioning-report-pdf"
                >
                  <FileDown className="size-3" /> PDF
                </a>
                <a
                  className="underline"
                  href={file(r.id, "json")}
                  download
                  data-testid="commissioning-report-json"
                >
                  JSON
                </a>
              </>
            )}
          </li>
        ))}
        {reports && reports.length === 0 ? (
          <li className="text-slate-500">No commissioning report yet.</li>
        ) : null}
      </ul>
    </div>
  );
}
