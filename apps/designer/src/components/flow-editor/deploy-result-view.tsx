"use client";

import { CheckCircle2, XCircle } from "lucide-react";
import type { DeployResult } from "../../lib/api-types";

/** One line per supervisor: the version it activated, or its own `{path, message}` list. */
export function DeployResultView({ result }: { result: DeployResult }) {
  return (
    <ul className="space-y-1" data-testid="deploy-result">
      {result.outcomes.map((o) => (
        <li
          key={o.supervisor_id}
          data-testid={`deploy-outcome-${o.supervisor_id}`}
          data-ok={o.ok}
          className="text-sm"
        >
          {o.ok ? (
            <span className="flex items-center gap-1 text-emerald-800">
              <CheckCircle2 className="size-4" /> {o.supervisor_name}: deployed project v
              {result.project_version} as config version {o.config_version} in {o.latency_ms} ms
              {o.flows.length > 0 ? (
                <span className="text-xs text-slate-600" data-testid="deploy-outcome-flows">
                  {" "}
                  ({o.flows.map((f) => `${f.name} ${f.action}`).join(", ")})
                </span>
              ) : null}
            </span>
          ) : (
            <div className="text-red-800">
              <span className="flex items-center gap-1">
                <XCircle className="size-4" /> {o.supervisor_name}: {o.error}
              </span>
              {o.code === "project_conflict" ? (
                <p className="ml-5 text-xs" data-testid="deploy-project-conflict">
                  Nothing was changed there. To take that supervisor over on purpose, use “Replace” on the
                  Deploy page.
                </p>
              ) : null}
              {o.errors.length > 0 ? (
                <ul className="ml-5 list-disc text-xs">
                  {o.errors.map((e) => (
                    <li key={`${e.path}|${e.message}`} data-testid="deploy-error">
                      <span className="font-mono">{e.path}</span>: {e.message}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
