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
            </span>
          ) : (
            <div className="text-red-800">
              <span className="flex items-center gap-1">
                <XCircle className="size-4" /> {o.supervisor_name}: {o.error}
              </span>
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
