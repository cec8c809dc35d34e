import { apiGet } from "./api/client";
import type { CurrentConfigResponse, LatestResponse } from "./api/types";
import { flowsOf } from "./site-flows";
import { usePoll } from "./use-poll";

/** The engine stores what a `log` node records under `log:<name>` (flow-engine.ts). */
export const LOG_PREFIX = "log:";

export interface LoggedSeries {
  ref: string;
  /** The name in the log node's `data`, e.g. `supply` for `{ supply: "a" }`. */
  name: string;
  /** The deployed flow's log node(s) that record it; none for a series left by an earlier flow. */
  loggers: string[];
}

function loggersOf(config: CurrentConfigResponse | null | undefined, name: string): string[] {
  return flowsOf(config)
    .flatMap((f) => f.nodes)
    .filter((n) => n.type === "log")
    .filter((n) => {
      const data = n.config.data;
      return data !== null && typeof data === "object" && Object.hasOwn(data, name);
    })
    .map((n) => (n.label ? `${n.label} (${n.id})` : n.id));
}

/**
 * Every series recorded by `log` nodes in the history (24 h retention), from /api/data/latest: the
 * deployed flow's, and those an earlier flow left, which an operator may still want to see.
 */
export function useLoggedSeries(config: CurrentConfigResponse | null | undefined): {
  series: LoggedSeries[];
  error: unknown;
} {
  // A new name appears with the flow's first scans; the list is short, and a refresh is cheap.
  const latest = usePoll(() => apiGet<LatestResponse>("/api/data/latest"), 15_000);
  const series = (latest.data?.values ?? [])
    .filter((v) => v.point.startsWith(LOG_PREFIX))
    .map((v) => {
      const name = v.point.slice(LOG_PREFIX.length);
      return { ref: v.point, name, loggers: loggersOf(config, name) };
    })
    // The deployed flow's first, then by name.
    .sort(
      (a, b) => Number(b.loggers.length > 0) - Number(a.loggers.length > 0) || a.name.localeCompare(b.name),
    );
  return { series, error: latest.error };
}
