"use client";

import { useState } from "react";
import type { FleetRow } from "../../lib/fleet/fleet-status";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

function ago(iso: string | null): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

const count = (n: number | null) => (n === null ? "—" : String(n));

/** Every supervisor on one line: reachable or not, what it runs, and the counters a rollout watches. */
export function FleetGrid({
  rows,
  canTag,
  onTags,
}: {
  rows: FleetRow[];
  canTag: boolean;
  onTags: (id: string, tags: string[]) => Promise<string | null>;
}) {
  const [editing, setEditing] = useState<{ id: string; text: string; error: string | null } | null>(null);
  const save = async () => {
    if (!editing) return;
    const tags = editing.text
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const error = await onTags(editing.id, tags);
    setEditing(error ? { ...editing, error } : null);
  };
  return (
    <table className="w-full text-sm" data-testid="fleet-grid">
      <thead className="text-left text-xs text-slate-500">
        <tr>
          <th className="py-1 pr-3">Supervisor</th>
          <th className="pr-3">Status</th>
          <th className="pr-3">Version</th>
          <th className="pr-3">Running</th>
          <th className="pr-3">Last seen</th>
          <th className="pr-3 text-right">Scans</th>
          <th className="pr-3 text-right">Bad points</th>
          <th className="pr-3 text-right">Alarms</th>
          <th>Groups</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.id ?? `fleet:${r.name}`}
            className="border-t border-slate-100 align-top"
            data-testid="fleet-row"
          >
            <td className="py-1.5 pr-3">
              <div className="font-medium" data-testid="fleet-name">
                {r.name}
              </div>
              <div className="text-xs text-slate-500">{r.url ?? "known to the fleet service only"}</div>
            </td>
            <td className="pr-3">
              <Badge
                variant={!r.reachable ? "danger" : r.engine === "running" ? "success" : "warning"}
                data-testid="fleet-status"
                title={r.error ?? undefined}
              >
                {r.reachable ? (r.engine ?? r.status) : r.status}
              </Badge>
            </td>
            <td className="pr-3">{r.version ?? "—"}</td>
            <td className="pr-3" data-testid="fleet-running">
              {r.project
                ? `${r.project.name} v${r.project.version ?? "?"}`
                : r.site
                  ? r.site
                  : r.config_version
                    ? `config v${r.config_version}`
                    : "—"}
            </td>
            <td className="pr-3">{ago(r.last_seen)}</td>
            <td className="pr-3 text-right tabular-nums">{count(r.scans)}</td>
            <td className="pr-3 text-right tabular-nums" data-testid="fleet-bad">
              {count(r.bad_points)}
            </td>
            <td className="pr-3 text-right tabular-nums">
              {r.id ? (
                <a
                  href={`/alarms?supervisor=${encodeURIComponent(r.id)}`}
                  className="text-sky-700 underline"
                  title="This supervisor's alarms"
                  data-testid="fleet-alarms"
                >
                  {count(r.alarms_open)}
                </a>
              ) : (
                count(r.alarms_open)
              )}
            </td>
            <td>
              {editing && editing.id === r.id ? (
                <div className="flex flex-col gap-1">
                  <div className="flex gap-1">
                    <Input
                      aria-label={`Groups of ${r.name}`}
                      value={editing.text}
                      onChange={(e) => setEditing({ ...editing, text: e.target.value })}
                      placeholder="building A, AHU controllers"
                      className="h-8"
                      data-testid="fleet-tags-input"
                    />
                    <Button size="sm" onClick={() => void save()} data-testid="fleet-tags-save">
                      Save
                    </Button>
                  </div>
                  {editing.error ? <span className="text-xs text-red-700">{editing.error}</span> : null}
                </div>
              ) : (
                <div className="flex flex-wrap items-center gap-1">
                  {r.tags.map((t) => (
                    <Badge key={t} variant="info">
                      {t}
                    </Badge>
                  ))}
                  {canTag && r.id ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setEditing({ id: r.id!, text: r.tags.join(", "), error: null })}
                      data-testid="fleet-tags-edit"
                    >
                      Edit
                    </Button>
                  ) : null}
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
