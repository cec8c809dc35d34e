import { useState } from "preact/hooks";
import { apiGet } from "../api/client";
import { Card, Pill } from "../components/status";
import { usePoll } from "../use-poll";

interface AuditRecord {
  id: number;
  at: string;
  actor: { kind: string; name: string; role: string | null; on_behalf_of?: string };
  source: string;
  action: string;
  target: string | null;
  result: "ok" | "denied" | "failed";
  reason?: string;
  details?: Record<string, unknown>;
}

interface Filters {
  actor: string;
  action: string;
  result: string;
  from: string;
  to: string;
}

function query(filters: Filters, limit: number): string {
  const params = new URLSearchParams();
  if (filters.actor) params.set("actor", filters.actor);
  if (filters.action) params.set("action", filters.action);
  if (filters.result) params.set("result", filters.result);
  if (filters.from) params.set("from", new Date(filters.from).toISOString());
  if (filters.to) params.set("to", new Date(filters.to).toISOString());
  params.set("limit", String(limit));
  return params.toString();
}

const TONE = { ok: "ok", denied: "bad", failed: "warn" } as const;

/** The audit trail: who changed what, from where, and whether it worked; filterable, exportable as CSV. */
export function Audit() {
  const empty: Filters = { actor: "", action: "", result: "", from: "", to: "" };
  const [draft, setDraft] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const records = usePoll(
    () => apiGet<{ records: AuditRecord[] }>(`/api/audit?${query(filters, 200)}`),
    10_000,
    [filters],
  );
  const field = (key: keyof Filters, label: string, type = "text") => (
    <label class="small">
      {label}
      <input
        type={type as "text"}
        value={draft[key]}
        data-testid={`audit-filter-${key}`}
        onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })}
      />
    </label>
  );
  return (
    <div class="grid" data-testid="view-audit">
      <Card title="Audit trail" testId="audit-card" wide>
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters(draft);
          }}
        >
          {field("actor", "Actor")}
          {field("action", "Action (prefix, e.g. auth.)")}
          <label class="small">
            Result
            <select
              value={draft.result}
              data-testid="audit-filter-result"
              onChange={(e) => setDraft({ ...draft, result: e.currentTarget.value })}
            >
              <option value="">any</option>
              <option value="ok">ok</option>
              <option value="denied">denied</option>
              <option value="failed">failed</option>
            </select>
          </label>
          {field("from", "From", "datetime-local")}
          {field("to", "To", "datetime-local")}
          <button type="submit" class="btn btn-primary" data-testid="audit-apply">
            Filter
          </button>
          <a
            class="btn btn-plain"
            href={`/api/audit/export.csv?${query(filters, 10_000)}`}
            data-testid="audit-csv"
            download
          >
            Download CSV
          </a>
        </form>
        {records.error && !records.data ? (
          <p class="note note-bad" data-testid="audit-error">
            The audit trail needs an operator or admin sign-in.
          </p>
        ) : null}
        <table class="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>From</th>
              <th>Action</th>
              <th>Target</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {(records.data?.records ?? []).map((r) => (
              <tr key={r.id} data-testid="audit-row">
                <td>{new Date(r.at).toLocaleString()}</td>
                <td>
                  {r.actor.name}
                  {r.actor.role ? <span class="muted small"> ({r.actor.role})</span> : null}
                  {r.actor.on_behalf_of ? <span class="muted small"> for {r.actor.on_behalf_of}</span> : null}
                </td>
                <td>{r.source}</td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>{r.target ?? ""}</td>
                <td title={r.reason}>
                  <Pill tone={TONE[r.result]}>{r.result}</Pill>
                  {r.reason ? <span class="muted small"> {r.reason}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
