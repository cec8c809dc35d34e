"use client";

import type { AuditRecord } from "@bms/schemas";
import { Download } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { apiCall, problemText } from "../../lib/designer-api";
import { Banner } from "../ui/banner";
import { Button } from "../ui/button";
import { Input } from "../ui/input";
import { Select } from "../ui/select";

const RESULT_TONE = { ok: "text-emerald-700", denied: "text-red-700", failed: "text-amber-700" } as const;

/** The audit trail with the API's filters, newest first, and the same filter as a CSV download. */
export function AuditView() {
  const [filter, setFilter] = useState({ actor: "", action: "", result: "", from: "", to: "" });
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [error, setError] = useState<string | null>(null);

  const query = useCallback(() => {
    const params = new URLSearchParams();
    if (filter.actor.trim()) params.set("actor", filter.actor.trim());
    if (filter.action.trim()) params.set("action", filter.action.trim());
    if (filter.result) params.set("result", filter.result);
    if (filter.from) params.set("from", new Date(filter.from).toISOString());
    if (filter.to) params.set("to", new Date(filter.to).toISOString());
    return params.toString();
  }, [filter]);

  const load = useCallback(async () => {
    const q = query();
    const result = await apiCall<{ records: AuditRecord[] }>(`/api/audit${q ? `?${q}` : ""}`);
    if (result.ok) {
      setRecords(result.body.records);
      setError(null);
    } else {
      setError(problemText(result));
    }
  }, [query]);

  useEffect(() => {
    void load();
  }, [load]);

  const q = query();
  return (
    <div className="mx-auto max-w-6xl space-y-3 p-6 text-sm">
      <div className="flex items-end gap-2">
        <h1 className="mr-auto text-lg font-semibold text-slate-900">Audit trail</h1>
        <Input
          className="w-36"
          placeholder="user"
          aria-label="Filter by user"
          data-testid="audit-filter-actor"
          value={filter.actor}
          onChange={(e) => setFilter({ ...filter, actor: e.target.value })}
        />
        <Input
          className="w-44"
          placeholder="action (e.g. auth, project.save)"
          aria-label="Filter by action"
          data-testid="audit-filter-action"
          value={filter.action}
          onChange={(e) => setFilter({ ...filter, action: e.target.value })}
        />
        <Select
          className="w-28"
          aria-label="Filter by result"
          value={filter.result}
          onChange={(e) => setFilter({ ...filter, result: e.target.value })}
        >
          <option value="">any result</option>
          <option value="ok">ok</option>
          <option value="denied">denied</option>
          <option value="failed">failed</option>
        </Select>
        <Input
          className="w-48"
          type="datetime-local"
          aria-label="From"
          value={filter.from}
          onChange={(e) => setFilter({ ...filter, from: e.target.value })}
        />
        <Input
          className="w-48"
          type="datetime-local"
          aria-label="To"
          value={filter.to}
          onChange={(e) => setFilter({ ...filter, to: e.target.value })}
        />
        <a href={`/api/audit/export${q ? `?${q}` : ""}`} download data-testid="audit-export">
          <Button variant="outline" size="sm">
            <Download /> CSV
          </Button>
        </a>
      </div>
      {error ? <Banner tone="error">{error}</Banner> : null}
      <table className="w-full text-left" data-testid="audit-table">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="py-1">When (UTC)</th>
            <th>Who</th>
            <th>From</th>
            <th>Action</th>
            <th>Target</th>
            <th>Result</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
              <td className="py-1 whitespace-nowrap text-xs">{r.at.slice(0, 19).replace("T", " ")}</td>
              <td>
                {r.actor.name}
                {r.actor.role ? <span className="text-slate-400"> ({r.actor.role})</span> : null}
              </td>
              <td className="text-xs">{r.source}</td>
              <td className="font-mono text-xs" data-testid="audit-action">
                {r.action}
              </td>
              <td className="max-w-48 truncate text-xs" title={r.target ?? ""}>
                {r.target}
              </td>
              <td className={RESULT_TONE[r.result]}>{r.result}</td>
              <td
                className="max-w-72 truncate font-mono text-xs"
                title={r.reason ?? JSON.stringify(r.details ?? "")}
              >
                {r.reason ?? (r.details ? JSON.stringify(r.details) : "")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {records.length === 0 && !error ? <p className="text-slate-500">No records match.</p> : null}
    </div>
  );
}
